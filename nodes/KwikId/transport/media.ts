/**
 * Media downloads (selfie, PAN, videos...): which links may be fetched and with what, and reading
 * the file from the answer. The retries, redirects and errors are the client's.
 *
 * A session answer is data from the network: a tampered or misconfigured one must not turn the
 * node into a fetcher of internal addresses, nor move KYC files in clear text. So a link is
 * fetched only over https (plain http only between loopback addresses, for the local sandbox),
 * never from a private, link-local or loopback address unless the credential itself is
 * loopback, and it carries the token only on the API's own origin. Host names are checked as
 * written: one that resolves to a private address is not caught here (n8n offers nodes no DNS).
 */
import type { IExecuteFunctions, IHttpRequestOptions } from 'n8n-workflow';

/** Node's Readable, as n8n's prepareBinaryData takes it (community nodes may not import 'stream'). */
type Readable = Exclude<Parameters<IExecuteFunctions['helpers']['prepareBinaryData']>[0], Buffer>;

export interface DownloadedFile {
	/** A stream when the size was announced and within the limit, else the bytes. */
	data: Buffer | Readable;
	mimeType?: string;
	fileName?: string;
}

export interface MediaTarget {
	url: URL;
	/** Same origin as the API: the request carries the `auth` token (some installs need it). */
	sameOrigin: boolean;
}

export function mediaTarget(link: string | URL, baseUrl: string): MediaTarget {
	const url = new URL(link, baseUrl);
	return { url, sameOrigin: url.origin === new URL(baseUrl).origin };
}

function isLoopbackHost(host: string): boolean {
	const name = host.replace(/^\[|\]$/g, '').toLowerCase();
	return name === 'localhost' || name === '::1' || /^127(?:\.\d{1,3}){3}$/.test(name);
}

/** IP literals of private, link-local, loopback, shared or unspecified ranges. */
function isInternalHost(host: string): boolean {
	const name = host.replace(/^\[|\]$/g, '').toLowerCase();
	if (isLoopbackHost(name) || name.endsWith('.localhost') || name === '0.0.0.0' || name === '::') return true;
	const v4 = /^(\d{1,3})\.(\d{1,3})\.\d{1,3}\.\d{1,3}$/.exec(name.replace(/^::ffff:/, ''));
	if (v4) {
		const [a, b] = [Number(v4[1]), Number(v4[2])];
		return (
			a === 0 ||
			a === 10 ||
			a === 127 ||
			(a === 169 && b === 254) ||
			(a === 172 && b >= 16 && b <= 31) ||
			(a === 192 && b === 168) ||
			(a === 100 && b >= 64 && b <= 127)
		);
	}
	// IPv6 unique-local (fc00::/7) and link-local (fe80::/10).
	return /^f[cd][0-9a-f]{0,2}:/.test(name) || /^fe[89ab][0-9a-f]?:/.test(name);
}

/** Why a media link may not be fetched, or undefined when it may. */
export function refusedMedia(url: URL, baseUrl: string): string | undefined {
	const base = new URL(baseUrl);
	const localSandbox = isLoopbackHost(base.hostname) && isLoopbackHost(url.hostname);
	if (url.protocol !== 'https:' && !(url.protocol === 'http:' && localSandbox)) {
		return url.protocol === 'http:'
			? 'plain http would move KYC files in clear text; only https links are downloaded'
			: `"${url.protocol}" links are not downloaded; only https`;
	}
	if (url.username || url.password) return 'the link carries a user name or password';
	if (isInternalHost(url.hostname) && !localSandbox) {
		return 'it points at a private or internal address, which a KwikID session never links to';
	}
	return undefined;
}

export function mediaRequest(target: MediaTarget): IHttpRequestOptions {
	return {
		method: 'GET',
		url: target.url.toString(),
		// Videos can be large: n8n stores a stream without holding the whole file in memory.
		encoding: 'stream',
		returnFullResponse: true,
		json: false,
		timeout: 120_000,
		// Followed by the client, which checks every hop and keeps the token on KwikID's origin.
		disableFollowRedirect: true,
	};
}

/** The file's name as its last path segment says, decoded when it can be (a bare % stays). */
export function fileNameOf(url: URL): string {
	return decodeName(url.pathname.split('/').pop() || url.pathname);
}

function decodeName(name: string): string {
	// A plain filename="..." may hold a literal "%": it is a name, not an encoding error.
	try {
		return decodeURIComponent(name);
	} catch {
		return name;
	}
}

interface FullResponse {
	body: Buffer | ArrayBuffer | string | Readable;
	headers: Record<string, string | undefined>;
}

function isStream(body: unknown): body is Readable {
	return typeof body === 'object' && body !== null && typeof (body as Readable).pipe === 'function';
}

export class TooLarge extends Error {
	constructor(readonly bytes: number | undefined) {
		super('file too large');
	}
}

/** Reads the answer: a stream when its size is announced and allowed, else at most maxBytes. */
export async function readMedia(response: unknown, maxBytes: number): Promise<DownloadedFile> {
	const { body, headers } = response as FullResponse;
	const disposition = headers['content-disposition'] ?? '';
	const named = /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(disposition)?.[1];
	const mimeType = headers['content-type']?.split(';')[0]?.trim();
	const fileName = named ? decodeName(named) : undefined;
	const announced = Number(headers['content-length']);
	if (Number.isFinite(announced) && announced > maxBytes) {
		if (isStream(body)) body.destroy();
		throw new TooLarge(announced);
	}
	if (isStream(body)) {
		if (Number.isFinite(announced)) return { data: body, mimeType, fileName };
		// No size announced: read it, stopping at the limit.
		const chunks: Buffer[] = [];
		let total = 0;
		for await (const chunk of body) {
			const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
			total += buffer.length;
			if (total > maxBytes) {
				body.destroy();
				throw new TooLarge(undefined);
			}
			chunks.push(buffer);
		}
		return { data: Buffer.concat(chunks), mimeType, fileName };
	}
	const data = Buffer.isBuffer(body)
		? body
		: typeof body === 'string'
			? Buffer.from(body)
			: Buffer.from(new Uint8Array(body));
	if (data.length > maxBytes) throw new TooLarge(data.length);
	return { data, mimeType, fileName };
}
