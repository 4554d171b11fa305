/**
 * The request and answer of a media download (selfie, PAN, videos...): which requests carry the
 * token, and reading the file, its type and its name from the answer. The retries and the
 * errors are the client's, shared with every other call.
 */
import type { IHttpRequestOptions } from 'n8n-workflow';

export interface DownloadedFile {
	data: Buffer;
	mimeType?: string;
	fileName?: string;
}

export interface MediaTarget {
	url: URL;
	/** Same origin as the API: the request carries the `auth` token (some installs need it). */
	sameOrigin: boolean;
}

export function mediaTarget(link: string, baseUrl: string): MediaTarget {
	const url = new URL(link, baseUrl);
	return { url, sameOrigin: url.origin === new URL(baseUrl).origin };
}

export function mediaRequest(target: MediaTarget): IHttpRequestOptions {
	return {
		method: 'GET',
		url: target.url.toString(),
		encoding: 'arraybuffer',
		returnFullResponse: true,
		json: false,
		timeout: 120_000,
	};
}

interface FullResponse {
	body: Buffer | ArrayBuffer | string;
	headers: Record<string, string | undefined>;
}

function decodeName(name: string): string {
	// A plain filename="..." may hold a literal "%": it is a name, not an encoding error.
	try {
		return decodeURIComponent(name);
	} catch {
		return name;
	}
}

export function readMedia(response: unknown): DownloadedFile {
	const { body, headers } = response as FullResponse;
	const data = Buffer.isBuffer(body)
		? body
		: typeof body === 'string'
			? Buffer.from(body)
			: Buffer.from(new Uint8Array(body));
	const disposition = headers['content-disposition'] ?? '';
	const fileName = /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(disposition)?.[1];
	const mimeType = headers['content-type']?.split(';')[0]?.trim();
	return { data, mimeType, fileName: fileName ? decodeName(fileName) : undefined };
}
