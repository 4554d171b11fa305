/**
 * Small HTTP helpers shared by the sandbox modules: JSON types, body reading and the
 * Flask/Werkzeug error pages the real API answers with.
 */
import type { IncomingMessage } from 'node:http';

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

export function isRecord(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Pages copied from the vendor document (400, 500) or from Werkzeug's defaults (others). */
export const HTML = {
	badRequest: `<!doctype html>
<html lang=en>
  <title>400 Bad Request</title>
  <h1>Bad Request</h1>
  <p>The browser (or proxy) sent a request that this server could not understand.</p>
</html>
`,
	serverError: `<!doctype html>
<html lang=en>
<title>500 Internal Server Error</title>
<h1>Internal Server Error</h1>
<p>The server encountered an internal error and was unable to complete your request.</p>
`,
	notFound: `<!doctype html>
<html lang=en>
<title>404 Not Found</title>
<h1>Not Found</h1>
<p>The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again.</p>
`,
	methodNotAllowed: `<!doctype html>
<html lang=en>
<title>405 Method Not Allowed</title>
<h1>Method Not Allowed</h1>
<p>The method is not allowed for the requested URL.</p>
`,
	redirect: (location: string): string => `<!doctype html>
<html lang=en>
<title>Redirecting...</title>
<h1>Redirecting...</h1>
<p>You should be redirected automatically to the target URL: <a href="${location}">${location}</a>. If not, click the link.
`,
} as const;

/** Large enough for push_user_data with base64 documents, small enough to refuse nonsense. */
export const MAX_BODY_BYTES = 25 * 1024 * 1024;

export class BodyTooLargeError extends Error {}

export function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer> {
	return new Promise((resolve, reject) => {
		const chunks: Buffer[] = [];
		let size = 0;
		req.on('data', (chunk: Buffer) => {
			size += chunk.length;
			if (size > limit) {
				reject(new BodyTooLargeError(`body larger than ${limit} bytes`));
				req.destroy();
				return;
			}
			chunks.push(chunk);
		});
		req.on('end', () => resolve(Buffer.concat(chunks)));
		req.on('error', reject);
	});
}

export type ParsedJson = { ok: true; value: unknown } | { ok: false };

/**
 * Like Flask's `request.get_json()`: the body must be declared JSON and parse as JSON,
 * otherwise the endpoint answers its HTML 400 page.
 */
export function parseJson(req: IncomingMessage, body: Buffer): ParsedJson {
	const type = req.headers['content-type'] ?? '';
	if (!/^application\/(.+\+)?json\b/i.test(type)) return { ok: false };
	try {
		return { ok: true, value: JSON.parse(body.toString('utf8')) as unknown };
	} catch {
		return { ok: false };
	}
}

export function isLoopback(address: string | undefined): boolean {
	if (!address) return false;
	return address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.');
}

/** Narrows parsed JSON (already JSON by construction) to JsonValue without a cast. */
export function toJson(value: unknown): JsonValue {
	if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
	if (typeof value === 'number') return Number.isFinite(value) ? value : null;
	if (Array.isArray(value)) return value.map(toJson);
	if (isRecord(value)) return toJsonObject(value);
	return null;
}

export function toJsonObject(value: Record<string, unknown>): JsonObject {
	const out: JsonObject = {};
	for (const [key, item] of Object.entries(value)) out[key] = toJson(item);
	return out;
}
