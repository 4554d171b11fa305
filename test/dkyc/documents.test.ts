/**
 * Documents from a binary property of the input item, a URL, or base64 text, in both modes.
 */
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { TEST_PHONE, validDkycSections } from '../../sandbox/fixtures';
import { binaryFile, dkycWorkflow, fieldModeSections, NODE, pinned, useDkycEnv } from './helpers';

const env = useDkycEnv();

const PHOTO = 'photo bytes \u0000\u0001\u00ff';
const SIGN = 'signature bytes';

function documentsOf(index = 0): IDataObject {
	const data = (env.pushes[index].body as { data: Array<{ user_form_data: Record<string, IDataObject> }> }).data;
	return data[4].user_form_data.DOCUMENT_COLLECTION;
}

const b64 = (text: string): string => Buffer.from(text).toString('base64');

/** Map Each Field documents: photo and signature from binary fields, the rest as given. */
function mixedDocuments(photoProperty = 'photo'): INodeParameters {
	return {
		documents: {
			docPhotoSource: 'binary',
			docPhoto: photoProperty,
			docSignSource: 'binary',
			docSign: 'sign',
			docAddressProofSource: 'url',
			docAddressProof: 'https://example.com/kyc/address-proof.pdf',
			docPerVerVideoSource: 'url',
			docPerVerVideo: 'https://example.com/kyc/ipv.mp4',
			appDocAddrProofCorrespondenceSource: 'base64',
			// Pasted as a data URI with a line break: sent as the plain base64 the API takes.
			appDocAddrProofCorrespondence: `data:application/pdf;base64,${b64('%PDF-1.4 correspondence').slice(0, 12)}\n${b64('%PDF-1.4 correspondence').slice(12)}`,
			docEsignFormSource: 'base64',
			docEsignForm: b64('%PDF-1.4 esign'),
		},
	};
}

const inputWithFiles = () =>
	pinned([
		{
			json: { id: 'DOC-1' },
			binary: { photo: binaryFile(PHOTO, 'photo.jpg', 'image/jpeg'), sign: binaryFile(SIGN, 'sign.png', 'image/png') },
		},
	]);

describe('documents', () => {
	it('sends binary files of the input item as base64, URLs as they are, and base64 text cleaned up', async () => {
		const run = await env.harness.run(
			dkycWorkflow({ userId: '={{ $json.id }}', phoneNumber: TEST_PHONE, ...fieldModeSections(), documentCollection: mixedDocuments() }),
			{ pinData: inputWithFiles() },
		);

		expect(run.error).toBeUndefined();
		expect(run.output(NODE)[0].json.success).toBe(true);
		expect(documentsOf()).toEqual({
			docPhoto: b64(PHOTO),
			docSign: b64(SIGN),
			docAddressProof: 'https://example.com/kyc/address-proof.pdf',
			docPerVerVideo: 'https://example.com/kyc/ipv.mp4',
			appDocAddrProofCorrespondence: b64('%PDF-1.4 correspondence'),
			docEsignForm: b64('%PDF-1.4 esign'),
		});
	});

	it('takes {"binaryProperty": ...}, {"url": ...}, {"base64": ...} and plain strings in JSON mode', async () => {
		const sections: Record<string, Record<string, unknown>> = validDkycSections();
		sections.DOCUMENT_COLLECTION = {
			docPhoto: { binaryProperty: 'photo' },
			docSign: { binaryProperty: 'sign' },
			docAddressProof: { url: 'https://example.com/kyc/address-proof.pdf' },
			docPerVerVideo: 'https://example.com/kyc/ipv.mp4',
			appDocAddrProofCorrespondence: { base64: b64('correspondence') },
			docEsignForm: b64('esign'),
		};

		const run = await env.harness.run(
			dkycWorkflow({ userId: 'DOC-2', phoneNumber: TEST_PHONE, dataMode: 'json', sectionsJson: JSON.stringify(sections) }),
			{ pinData: inputWithFiles() },
		);

		expect(run.error).toBeUndefined();
		expect(documentsOf()).toEqual({
			docPhoto: b64(PHOTO),
			docSign: b64(SIGN),
			docAddressProof: 'https://example.com/kyc/address-proof.pdf',
			docPerVerVideo: 'https://example.com/kyc/ipv.mp4',
			appDocAddrProofCorrespondence: b64('correspondence'),
			docEsignForm: b64('esign'),
		});
	});

	it('names the document and the binary field when the input item does not have it, and sends nothing', async () => {
		const run = await env.harness.run(
			dkycWorkflow({ userId: 'DOC-3', phoneNumber: TEST_PHONE, ...fieldModeSections(), documentCollection: mixedDocuments('selfie') }),
			{ pinData: inputWithFiles() },
		);

		const error = run.error as unknown as { message: string; context: IDataObject };
		expect(error.message).toContain('Photo: the input item has no binary field "selfie" (it has "photo", "sign")');
		expect(error.context.missing_fields).toEqual(['DOCUMENT_COLLECTION.docPhoto']);
		expect(env.sandbox.stats().requests.push_user_data).toBe(0);
	});

	it('reports a document whose value does not match its source, with the other problems', async () => {
		const documents = mixedDocuments();
		Object.assign(documents.documents as INodeParameters, {
			docAddressProof: 'example.com/address.pdf', // URL source without a scheme
			docEsignForm: 'not base64!', // base64 source
		});
		const sections = validDkycSections();
		sections.BASIC_INFORMATION.pan = 'ABCDE1234';
		const run = await env.harness.run(
			dkycWorkflow({ userId: 'DOC-4', phoneNumber: TEST_PHONE, ...fieldModeSections(sections), documentCollection: documents }),
			{ pinData: inputWithFiles() },
		);

		const error = run.error as unknown as { description: string; context: IDataObject };
		expect(error.context.incorrect_formats).toEqual([
			'BASIC_INFORMATION.pan',
			'DOCUMENT_COLLECTION.docAddressProof',
			'DOCUMENT_COLLECTION.docEsignForm',
		]);
		expect(error.description).toContain('DOCUMENT_COLLECTION.docAddressProof: Address Proof Document: expected an http(s) URL');
		expect(error.description).toContain('DOCUMENT_COLLECTION.docEsignForm: E-Sign Form: expected base64 text');
		expect(env.sandbox.stats().requests.push_user_data).toBe(0);
	});

	it('reports an empty binary file and a JSON document object it cannot read', async () => {
		const sections: Record<string, Record<string, unknown>> = validDkycSections();
		sections.DOCUMENT_COLLECTION.docPhoto = { binaryProperty: 'empty' } as unknown as string;
		sections.DOCUMENT_COLLECTION.docSign = { path: '/tmp/sign.png' } as unknown as string;
		const run = await env.harness.run(
			dkycWorkflow({ userId: 'DOC-5', phoneNumber: TEST_PHONE, dataMode: 'json', sectionsJson: JSON.stringify(sections) }),
			{ pinData: pinned([{ json: {}, binary: { empty: binaryFile('', 'empty.jpg', 'image/jpeg') } }]) },
		);

		const error = run.error as unknown as { message: string; context: IDataObject };
		expect(error.context.incorrect_formats).toEqual(['DOCUMENT_COLLECTION.docPhoto', 'DOCUMENT_COLLECTION.docSign']);
		expect(error.message).toContain('Photo: the binary field "empty" is empty');
		expect(env.sandbox.stats().requests.push_user_data).toBe(0);
	});

	it('uses each item\'s own files when many items run', async () => {
		const items = ['one', 'two'].map((name) => ({
			json: { id: `DOC-${name}` },
			binary: { photo: binaryFile(`photo ${name}`, 'photo.jpg', 'image/jpeg'), sign: binaryFile(`sign ${name}`, 'sign.png', 'image/png') },
		}));
		const run = await env.harness.run(
			dkycWorkflow({ userId: '={{ $json.id }}', phoneNumber: TEST_PHONE, ...fieldModeSections(), documentCollection: mixedDocuments() }),
			{ pinData: pinned(items) },
		);

		expect(run.error).toBeUndefined();
		expect([documentsOf(0).docPhoto, documentsOf(1).docPhoto]).toEqual([b64('photo one'), b64('photo two')]);
		expect([documentsOf(0).docSign, documentsOf(1).docSign]).toEqual([b64('sign one'), b64('sign two')]);
	});
});
