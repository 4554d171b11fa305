/**
 * The KwikID endpoints themselves, as functions from a parsed request to a reply. HTTP plumbing,
 * faults and counters live in server.ts; this file is only "what would the real API answer".
 */
import { tenantCodeErrors, type TenantCodes, validatePushUserData } from './dkyc';
import type { EndpointKey } from './faults';
import { HTML, isRecord, toJsonObject, type ParsedJson } from './http';
import type { TokenAuthority } from './jwt';
import { epochString, MEDIA_FILES, type RenderView, type SessionInput, type SessionStore } from './sessions';

export type Reply =
	| {
			status: number;
			json: unknown;
			/** The agentapi is Flask: jsonify sorts keys (the documented bodies are sorted too). */
			sorted?: boolean;
			headers?: Record<string, string>;
	  }
	| { status: number; html: string; headers?: Record<string, string> }
	| { status: number; bytes: Buffer; contentType: string; filename: string };

/** A reply from an endpoint that may have created a session (for afterCreate faults). */
export type CreatingReply = Reply & { created?: { sessionId: string; userId: string } };

export interface ApiContext {
	store: SessionStore;
	tokens: TokenAuthority;
	username: string;
	password: string;
	/** Origin used in link_url and media URLs, e.g. http://127.0.0.1:8765 */
	baseUrl: string;
	nowMs: number;
	/** The account's own code lists (see dkyc.ts), empty by default. */
	tenantCodes: TenantCodes;
	/** Which shape get_details answers in, and whether the account has a checker step. */
	view: RenderView;
}

const ALNUM = /^[A-Za-z0-9]+$/;
const PHONE = /^[0-9]{10}$/;
const LINK_TYPES = new Set(['free', 'scheduled']);
const DEFAULT_VALIDITY_SEC = 900;

export const badRequestHtml = (): Reply => ({ status: 400, html: HTML.badRequest });
export const notFoundHtml = (): Reply => ({ status: 404, html: HTML.notFound });

export function rateLimited(retryAfterSec?: number): Reply {
	return {
		status: 429,
		json: { status: 429, message: 'Rate limit exceeded' },
		...(retryAfterSec !== undefined ? { headers: { 'Retry-After': String(Math.ceil(retryAfterSec)) } } : {}),
	};
}

/** 500 in the endpoint's documented shape; push_user_data (appapi) has its own JSON body. */
export function serverError(
	endpoint: EndpointKey,
	html: boolean,
	track: { user_id: string | null; session_id: string | null },
): Reply {
	if (html) return { status: 500, html: HTML.serverError };
	if (endpoint === 'push_user_data') {
		return { status: 500, json: { msg: 'An internal error occurred', status_code: 500, success: false, track } };
	}
	return { status: 500, json: { msg: 'error message', status: 500 }, sorted: true };
}

/** The `auth` header check every endpoint but generate_token runs first. Null means "let it in". */
export function checkAuth(header: string | string[] | undefined, ctx: ApiContext): Reply | null {
	const token = Array.isArray(header) ? header[0] : header;
	if (token === undefined || token === '') {
		return { status: 401, json: { message: 'Missing authorization header' } };
	}
	if (!ctx.tokens.verify(token, ctx.nowMs)) return { status: 401, json: { message: 'Token is invalid' } };
	return null;
}

export function generateToken(body: ParsedJson, ctx: ApiContext): Reply {
	if (!body.ok) return badRequestHtml();
	const input = isRecord(body.value) ? body.value : {};
	const { username, password } = input;
	const valid =
		typeof username === 'string' &&
		typeof password === 'string' &&
		ALNUM.test(username) &&
		username.length >= 3 &&
		username.length <= 20 &&
		ALNUM.test(password) &&
		password.length >= 8 &&
		password.length <= 32;
	// "success": true on both errors is the documented quirk: clients must judge by HTTP status.
	if (!valid) {
		return { status: 400, json: { msg: 'please provide valid username and password', status_code: 400, success: true }, sorted: true };
	}
	if (username !== ctx.username || password !== ctx.password) {
		return { status: 401, json: { msg: 'username/password did not match', status_code: 401, success: true }, sorted: true };
	}
	return { status: 200, json: { Token: ctx.tokens.issue(username, ctx.nowMs), status_code: 200, success: true }, sorted: true };
}

/** Null for anything malformed: the real endpoint answers all of it with the same HTML 400. */
function parseSendLink(value: unknown): (SessionInput & { validity_duration: number; phone_number: string; user_id: string }) | null {
	if (!isRecord(value)) return null;
	const { user_id, phone_number, send_notification, link_type, session_type, origin, extras } = value;
	if (typeof user_id !== 'string' || user_id === '') return null;
	if (typeof phone_number !== 'string' || !PHONE.test(phone_number)) return null;
	if (send_notification !== 0 && send_notification !== 1) return null;
	if (typeof link_type !== 'string' || !LINK_TYPES.has(link_type)) return null;
	if (session_type !== undefined && typeof session_type !== 'string') return null;
	if (origin !== undefined && typeof origin !== 'string') return null;
	if (extras !== undefined && !isRecord(extras)) return null;
	const extrasIn = extras ?? {};
	if (Object.values(extrasIn).some((v) => typeof v !== 'string' && typeof v !== 'number')) return null;

	// link_expires_in arrives as a string in the docs' example; numbers are accepted too.
	let validitySec = DEFAULT_VALIDITY_SEC;
	const expiresIn = extrasIn.link_expires_in;
	if (expiresIn !== undefined) {
		const text = String(expiresIn);
		if (!/^[0-9]+$/.test(text) || Number(text) <= 0) return null;
		validitySec = Number(text);
	}
	return {
		user_id,
		phone_number,
		link_type,
		session_type,
		origin,
		extras: toJsonObject(extrasIn),
		validity_duration: validitySec,
	};
}

export function sendLink(body: ParsedJson, ctx: ApiContext): CreatingReply {
	const input = body.ok ? parseSendLink(body.value) : null;
	if (!input) return badRequestHtml();
	const session = ctx.store.create(input, ctx.nowMs);
	return {
		status: 200,
		sorted: true,
		json: {
			link_expiry_time: epochString(ctx.nowMs + input.validity_duration * 1000),
			link_id: session.link_id,
			// The query part arrives percent-encoded, exactly like the documented example.
			link_url: `${ctx.baseUrl}/user/%3Fl%3D${session.link_id}%26d%3D1%26s%3D0`,
			phone_number: input.phone_number,
			session_id: session.session_id,
			user_id: input.user_id,
			validity_duration: input.validity_duration,
		},
		created: { sessionId: session.session_id, userId: session.user_id },
	};
}

export function getDetails(rawId: string, ctx: ApiContext): Reply {
	let id: string;
	try {
		id = decodeURIComponent(rawId);
	} catch {
		id = rawId;
	}
	const data = ctx.store.render(id, ctx.baseUrl, ctx.nowMs, ctx.view);
	if (!data) {
		// The Python IndexError leaks into the body: documented as is.
		return { status: 400, json: { e: 'list index out of range', msg: 'Invalid session id', status: 400 }, sorted: true };
	}
	// A live install's top-level status is not a number.
	return { status: 200, json: { session_data: data, status: ctx.view.shape === 'live' ? '200' : 200 }, sorted: true };
}

export function pushUserData(body: ParsedJson, ctx: ApiContext): CreatingReply {
	if (!body.ok) return badRequestHtml();
	let errors = validatePushUserData(body.value);
	if (errors.missing_fields.length === 0 && errors.incorrect_formats.length === 0) {
		errors = tenantCodeErrors(body.value, ctx.tenantCodes);
	}
	const input = isRecord(body.value) ? body.value : {};
	if (errors.missing_fields.length > 0 || errors.incorrect_formats.length > 0) {
		return {
			status: 400,
			json: {
				msg: 'Invalid request format',
				status_code: 400,
				success: false,
				track: { user_id: typeof input.user_id === 'string' ? input.user_id : null, session_id: null },
				errors,
			},
		};
	}
	// validatePushUserData guarantees these two are strings.
	const userId = String(input.user_id);
	const session = ctx.store.create(
		{
			user_id: userId,
			phone_number: String(input.phone_number),
			session_type: 'DKYC',
			link_id: '',
			link_type: '',
			extras: isRecord(input.extras) ? toJsonObject(input.extras) : {},
		},
		ctx.nowMs,
	);
	return {
		status: 200,
		json: { success: true, session_id: session.session_id, track: { user_id: userId, session_id: session.session_id } },
		created: { sessionId: session.session_id, userId },
	};
}

// ---- media ----

/** 1x1 transparent PNG. */
const PNG = Buffer.from(
	'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=',
	'base64',
);
/** An MP4 `ftyp` box: enough for anything sniffing the type. */
const MP4 = Buffer.from('00000018' + '66747970' + '69736f6d' + '00000200' + '69736f6d' + '69736f32', 'hex');
/** An empty ZIP archive (end-of-central-directory record only). */
const ZIP = Buffer.concat([Buffer.from('504b0506', 'hex'), Buffer.alloc(18)]);

/** A minimal PDF: enough for anything checking the magic bytes. */
const PDF = Buffer.from('%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n');

/** `where` is the path's first part: /media/... (reference links) or /v1/download_content/... (live). */
export function media(where: string, sessionId: string, name: string, ctx: ApiContext): Reply {
	const kind = where === 'media' ? 'media' : 'download_content';
	const file = MEDIA_FILES.find((m) => m.name === name && m.where === kind);
	if (!file || !ctx.store.mediaAvailable(sessionId, ctx.nowMs)) return notFoundHtml();
	let bytes: Buffer;
	if (file.contentType === 'image/png') bytes = PNG;
	else if (file.contentType === 'video/mp4') bytes = MP4;
	else if (file.contentType === 'application/zip') bytes = ZIP;
	else if (file.contentType === 'application/pdf') bytes = PDF;
	else if (file.contentType === 'application/xml') {
		// Synthetic and masked, like everything the sandbox serves.
		bytes = Buffer.from('<?xml version="1.0" encoding="UTF-8"?>\n<OfflinePaperlessKyc referenceId="XXXXXXXX0124"><UidData><Poi name="SANDBOX USER"/></UidData></OfflinePaperlessKyc>\n');
	} else {
		const data = ctx.store.render(sessionId, ctx.baseUrl, ctx.nowMs);
		bytes = Buffer.from(JSON.stringify(data?.summary_data ?? {}));
	}
	return { status: 200, bytes, contentType: file.contentType, filename: `${sessionId}_${file.name}` };
}
