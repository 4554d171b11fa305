/**
 * Minimal HS256 JWT, enough to make the sandbox's tokens look and behave like the real ones:
 * three base64url parts, a readable `exp`, and a signature the server can check.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

import { isRecord } from './http';

export interface TokenPayload {
	sub: string;
	iat: number;
	exp: number;
}

export type VerifyResult = { ok: true; payload: TokenPayload } | { ok: false };

const HEADER = base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));

function base64url(input: string | Buffer): string {
	return Buffer.from(input).toString('base64url');
}

function sign(data: string, secret: Buffer): Buffer {
	return createHmac('sha256', secret).update(data).digest();
}

/**
 * `ttlSec` may be fractional so tests can watch a token expire without sleeping for seconds;
 * JWT NumericDate allows fractions. Whole-second lifetimes give a whole-second `exp`.
 */
export function signToken(sub: string, ttlSec: number, secret: Buffer, nowMs = Date.now()): string {
	const iat = Math.floor(nowMs / 1000);
	const exp = Number.isInteger(ttlSec) ? iat + ttlSec : Math.round(nowMs + ttlSec * 1000) / 1000;
	const body = base64url(JSON.stringify({ sub, iat, exp } satisfies TokenPayload));
	return `${HEADER}.${body}.${base64url(sign(`${HEADER}.${body}`, secret))}`;
}

/** Any failure (shape, algorithm, signature, expiry) is one answer: the API does not say which. */
export function verifyToken(token: string, secret: Buffer, nowMs = Date.now()): VerifyResult {
	const parts = token.split('.');
	if (parts.length !== 3) return { ok: false };
	const [header, body, signature] = parts;
	// Compare the encoded text, not decoded bytes: base64 decoding ignores stray characters and
	// the unused low bits of the last one, so a tampered signature could decode to the same bytes.
	const expected = Buffer.from(base64url(sign(`${header}.${body}`, secret)));
	const given = Buffer.from(signature);
	if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false };
	try {
		const head: unknown = JSON.parse(Buffer.from(header, 'base64url').toString('utf8'));
		if (!isRecord(head) || head.alg !== 'HS256') return { ok: false };
		const payload: unknown = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
		if (!isRecord(payload)) return { ok: false };
		const { sub, iat, exp } = payload;
		if (typeof sub !== 'string' || typeof iat !== 'number' || typeof exp !== 'number') return { ok: false };
		if (nowMs / 1000 >= exp) return { ok: false };
		return { ok: true, payload: { sub, iat, exp } };
	} catch {
		return { ok: false };
	}
}

/**
 * Issues and checks the server's tokens. Revoking everything (expireTokens) simply rotates
 * the secret: every token signed before fails its signature check, like a server-side revoke.
 */
export class TokenAuthority {
	private secret = randomBytes(32);

	constructor(public ttlSec: number) {}

	issue(sub: string, nowMs = Date.now()): string {
		return signToken(sub, this.ttlSec, this.secret, nowMs);
	}

	verify(token: string, nowMs = Date.now()): boolean {
		return verifyToken(token, this.secret, nowMs).ok;
	}

	revokeAll(): void {
		this.secret = randomBytes(32);
	}
}
