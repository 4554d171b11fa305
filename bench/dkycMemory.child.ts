/**
 * One Push DKYC Data run for dkycMemory.bench.ts, in a process of its own: argv = sandbox URL,
 * username, password, records. Sends the parent { peakGrowthMb, ms, errors, sent }.
 * The input items share one 1 MB photo string, as items from one binary source would: the
 * input itself costs 1.3 MB, so the growth measured is the node's.
 */
import { performance } from 'node:perf_hooks';

import type { INodeParameters } from 'n8n-workflow';

import { Harness } from '../harness/harness';
import { KWIKID, kwikIdWorkflow, pinned } from '../harness/workflows';
import { TEST_PHONE } from '../sandbox/fixtures';
import { fieldModeSections } from '../test/dkyc/helpers';

async function main(): Promise<void> {
	const [url, username, password, recordsText] = process.argv.slice(2);
	const records = Number(recordsText);
	const harness = new Harness().addKwikIdCredential({ domain: url, environment: 'test', username, password });
	const parameters: INodeParameters = {
		resource: 'dkyc',
		operation: 'pushUserData',
		userId: '={{ $json.id }}',
		phoneNumber: TEST_PHONE,
		// The form sections as the Push DKYC tests set them (one definition of the parameter names).
		...fieldModeSections(),
		documentCollection: {
			documents: {
				docPhotoSource: 'binary',
				docPhoto: 'photo',
				docSignSource: 'url',
				docSign: 'https://example.com/kyc/sign.png',
				docAddressProofSource: 'url',
				docAddressProof: 'https://example.com/kyc/address-proof.pdf',
				docPerVerVideoSource: 'url',
				docPerVerVideo: 'https://example.com/kyc/ipv.mp4',
				appDocAddrProofCorrespondenceSource: 'url',
				appDocAddrProofCorrespondence: 'https://example.com/kyc/correspondence.pdf',
				docEsignFormSource: 'url',
				docEsignForm: 'https://example.com/kyc/esign.pdf',
			},
		},
	};
	const photo = Buffer.alloc(1024 * 1024, 7).toString('base64');
	const items = (count: number, prefix: string) =>
		Array.from({ length: count }, (_, index) => ({
			json: { id: `${prefix}-${index}` },
			binary: { photo: { data: photo, mimeType: 'image/jpeg', fileName: 'photo.jpg' } },
		}));
	const workflow = kwikIdWorkflow(parameters, { onError: 'continueRegularOutput' });

	// Warm-up: the token, zod and n8n-core's modules are loaded before the baseline is taken.
	await harness.run(workflow, { pinData: pinned(items(3, 'WARM')) });
	global.gc?.();
	const input = items(records, 'MEM');
	const before = process.memoryUsage().rss;
	let peak = before;
	const sampler = setInterval(() => {
		peak = Math.max(peak, process.memoryUsage().rss);
	}, 5);
	const started = performance.now();
	const result = await harness.run(workflow, { pinData: pinned(input) });
	const ms = performance.now() - started;
	clearInterval(sampler);
	peak = Math.max(peak, process.memoryUsage().rss);
	const output = result.error ? [] : result.output(KWIKID);
	const errors = result.error ? records : output.filter((item) => item.json.error !== undefined).length;
	process.send?.({ peakGrowthMb: (peak - before) / 2 ** 20, ms, errors, sent: output.length - errors });
}

main().then(
	() => process.exit(0),
	(error: unknown) => {
		process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
		process.exit(1);
	},
);
