/**
 * The /__sandbox/ control routes: the in-process Sandbox methods over HTTP, for people running
 * `npm run sandbox` and for tests in another process. No auth, loopback callers only, never
 * counted and never faulted.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

import { serveConsoleAsset } from './console/routes';
import { consoleState } from './console/state';
import { FaultInputError } from './faults';
import { CheckerError, UnknownSessionError } from './sessions';
import { parseHeaderLine, urlWithoutQuery, WebhookInputError, type WebhookInput, type WebhookSubscription } from './webhooks';
import type { TenantCodes } from './dkyc';
import { isLoopback, isRecord, readBody, toJsonObject } from './http';
import type { Sandbox, SandboxFeature, ShapeSettings } from './core';
import type { AutoProgress, Decision, SessionInput } from './sessions';

class ControlError extends Error {
	constructor(
		readonly status: number,
		message: string,
	) {
		super(message);
	}
}

const MAX_CREATE = 10_000;
const OK = { ok: true } as const;

const HELP = {
	'GET /__sandbox/console': 'the sandbox console: a web page for sessions, faults and the request log',
	'GET /__sandbox/console/state': "what the console shows, as JSON (phones masked, ids redacted)",
	'GET /__sandbox/stats': 'request counters',
	'POST /__sandbox/stats/reset': 'zero the counters and the request log',
	'GET /__sandbox/requests': 'the last API requests: time, method, path, status, duration (no bodies)',
	'POST /__sandbox/reset': 'sessions, faults, counters and auto-progress back to start',
	'GET /__sandbox/faults': 'current faults',
	'POST /__sandbox/faults': 'set faults, e.g. {"burst429":{"count":3}}, {"latencyMs":200}, {"random":{"share429":0.05,"seed":7}} or {"expireTokensEvery":200}',
	'DELETE /__sandbox/faults': 'clear all faults',
	'POST /__sandbox/tokens/expire': 'invalidate every token issued so far',
	'GET /__sandbox/sessions': 'list sessions (id, status)',
	'POST /__sandbox/sessions': 'create sessions: {"count":10,"status":"waiting","user_id":"u1",...}',
	'GET /__sandbox/sessions/<id>': 'one session',
	'POST /__sandbox/sessions/<id>/status': 'set a status: {"status":"kyc_result_approved","comment":"..."}',
	'POST /__sandbox/sessions/<id>/checker': 'the checker, after the agent decided: {"decision":"approve"}, {"decision":"reject","reason":"..."} or {"decision":"start"}',
	'GET /__sandbox/webhooks': 'webhook subscriptions (header values hidden)',
	'POST /__sandbox/webhooks': 'subscribe: {"url":"http://127.0.0.1:5678/webhook/kwikid","events":["Checker Rejected"],"headers":{"Authorization":"Bearer x"},"shape":"flat|nested|dashboard|form|text|rotate"}',
	'DELETE /__sandbox/webhooks/<id>': 'unsubscribe',
	'GET /__sandbox/webhooks/deliveries': 'every delivery attempt: URL without query, event, shape, status, attempt',
	'GET /__sandbox/shape': "get_details' shape and whether the account has a checker step",
	'POST /__sandbox/shape': '{"shape":"live"|"reference","checkerStep":true|false} (either or both)',
	'GET /__sandbox/auto-progress': 'current scripted progression',
	'POST /__sandbox/auto-progress': '{"afterMs":60000,"outcome":"approve","checker":"reject","checkerAfterMs":60000} (checker optional), or null to turn it off',
	'GET /__sandbox/tenant-codes': "the account's own code lists for Push DKYC values",
	'POST /__sandbox/tenant-codes': 'replace them, e.g. {"BASIC_INFORMATION.amc":["AMC1"]}; {} removes them',
};

export async function handleControl(
	req: IncomingMessage,
	res: ServerResponse,
	subPath: string,
	sandbox: Sandbox,
): Promise<void> {
	let status = 200;
	let payload: unknown;
	try {
		// The control plane can wipe state and fake outcomes: never let another machine reach it.
		if (!isLoopback(req.socket.remoteAddress)) throw new ControlError(403, 'control endpoint is loopback only');
		// A browser on this machine is loopback too: a page from any other site could otherwise
		// post here (the bodies need no Content-Type). Browsers name the page's origin; curl,
		// tests and the console (same origin) pass.
		if (!sameOrigin(req)) throw new ControlError(403, 'control endpoint refuses requests from other sites');
		if (serveConsoleAsset(req.method ?? 'GET', subPath.replace(/\/+$/, ''), res)) return;
		payload = await dispatch(req.method ?? 'GET', subPath.replace(/\/+$/, ''), req, sandbox);
	} catch (error) {
		if (error instanceof ControlError) status = error.status;
		else if (error instanceof FaultInputError) status = 400;
		else if (error instanceof CheckerError) status = 409;
		else if (error instanceof WebhookInputError) status = 400;
		else if (error instanceof UnknownSessionError) status = 404;
		else status = 500;
		payload = { error: error instanceof Error ? error.message : String(error) };
	}
	const body = Buffer.from(`${JSON.stringify(payload, null, 2)}\n`);
	res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': String(body.length) });
	res.end(body);
}

/** True without an Origin header (not a browser, or a same-origin GET) or when it names this host. */
function sameOrigin(req: IncomingMessage): boolean {
	const origin = req.headers.origin;
	if (origin === undefined) return true;
	try {
		return new URL(origin).host === req.headers.host;
	} catch {
		return false;
	}
}

async function dispatch(method: string, path: string, req: IncomingMessage, sandbox: Sandbox): Promise<unknown> {
	const is = (m: string, p: string): boolean => method === m && path === p;
	if (is('GET', '')) return { url: sandbox.url, username: sandbox.username, routes: HELP };
	if (is('GET', '/stats')) return sandbox.stats();
	if (is('GET', '/console/state')) return consoleState(sandbox);
	if (is('GET', '/requests')) return sandbox.requestLog();
	if (is('POST', '/stats/reset')) {
		sandbox.resetStats();
		return OK;
	}
	if (is('POST', '/reset')) {
		sandbox.reset();
		return OK;
	}
	if (is('GET', '/faults')) return sandbox.faults();
	if (is('POST', '/faults')) {
		sandbox.setFaults(objectBody(await jsonBody(req)));
		return sandbox.faults();
	}
	if (is('DELETE', '/faults')) {
		sandbox.clearFaults();
		return sandbox.faults();
	}
	if (is('POST', '/tokens/expire')) {
		sandbox.expireTokens();
		return OK;
	}
	if (is('GET', '/sessions')) return { sessions: sandbox.listSessions() };
	if (is('POST', '/sessions')) {
		const body = objectBody((await jsonBody(req)) ?? {});
		const count = body.count ?? 1;
		if (typeof count !== 'number' || !Number.isInteger(count) || count < 1 || count > MAX_CREATE) {
			throw new ControlError(400, `count must be an integer from 1 to ${MAX_CREATE}`);
		}
		const input = sessionInput(body);
		return { sessions: Array.from({ length: count }, () => sandbox.createSession(input)) };
	}
	if (is('GET', '/auto-progress')) return { autoProgress: sandbox.getAutoProgress() };
	if (is('POST', '/auto-progress')) {
		sandbox.setAutoProgress(autoProgress(await jsonBody(req)));
		return { autoProgress: sandbox.getAutoProgress() };
	}

	if (is('GET', '/webhooks')) return { webhooks: sandbox.listWebhooks().map(hideHeaderValues) };
	if (is('POST', '/webhooks')) return hideHeaderValues(sandbox.addWebhook(webhookInput(await jsonBody(req))));
	if (is('GET', '/webhooks/deliveries')) return { deliveries: sandbox.webhookDeliveries() };
	const webhook = /^\/webhooks\/([^/]+)$/.exec(path);
	if (webhook && method === 'DELETE') {
		if (!sandbox.removeWebhook(webhook[1])) throw new ControlError(404, `no webhook ${webhook[1]}`);
		return OK;
	}

	if (is('GET', '/shape')) return sandbox.getShape();
	if (is('POST', '/shape')) return sandbox.setShape(shapeSettings(await jsonBody(req)));

	if (is('GET', '/tenant-codes')) return sandbox.getTenantCodes();
	if (is('POST', '/tenant-codes')) {
		sandbox.setTenantCodes(tenantCodes(await jsonBody(req)));
		return sandbox.getTenantCodes();
	}

	const session = /^\/sessions\/([^/]+)(\/status|\/checker)?$/.exec(path);
	if (session) {
		let id = session[1];
		try {
			id = decodeURIComponent(id);
		} catch {
			// keep the raw text; it will simply not be found
		}
		if (!sandbox.getSession(id)) throw new ControlError(404, `unknown session ${id}`);
		if (!session[2] && method === 'GET') return sandbox.getSession(id);
		if (session[2] === '/checker' && method === 'POST') {
			const { decision, reason } = checkerBody(await jsonBody(req));
			return decision === 'start' ? sandbox.checkerStart(id) : sandbox.checkerDecide(id, decision, reason);
		}
		if (session[2] === '/status' && method === 'POST') {
			const body = objectBody(await jsonBody(req));
			if (typeof body.status !== 'string' || body.status === '') {
				throw new ControlError(400, 'status must be a non-empty string');
			}
			if (body.comment !== undefined && typeof body.comment !== 'string') {
				throw new ControlError(400, 'comment must be a string');
			}
			return sandbox.setStatus(id, body.status, body.comment);
		}
	}
	throw new ControlError(404, `no control route ${method} /__sandbox${path}; GET /__sandbox/ lists them`);
}


/** Control bodies are lenient: no Content-Type needed, an empty body is undefined. */
async function jsonBody(req: IncomingMessage): Promise<unknown> {
	const text = (await readBody(req)).toString('utf8').trim();
	if (text === '') return undefined;
	try {
		return JSON.parse(text) as unknown;
	} catch {
		throw new ControlError(400, 'body is not valid JSON');
	}
}

function objectBody(value: unknown): Record<string, unknown> {
	if (!isRecord(value)) throw new ControlError(400, 'body must be a JSON object');
	return value;
}

function sessionInput(body: Record<string, unknown>): SessionInput {
	const input: SessionInput = {};
	const texts = ['user_id', 'phone_number', 'session_type', 'origin', 'link_type', 'link_id', 'status'] as const;
	// A misspelt field would silently give a default session: refuse it instead.
	const known = new Set<string>([...texts, 'extras', 'validity_duration', 'count']);
	const unknown = Object.keys(body).find((key) => !known.has(key));
	if (unknown) throw new ControlError(400, `unknown field "${unknown}"; known: ${[...known].join(', ')}`);
	for (const key of texts) {
		const value = body[key];
		if (value === undefined) continue;
		if (typeof value !== 'string') throw new ControlError(400, `${key} must be a string`);
		input[key] = value;
	}
	if (body.extras !== undefined) input.extras = toJsonObject(objectBody(body.extras));
	if (body.validity_duration !== undefined) {
		if (typeof body.validity_duration !== 'number' || body.validity_duration <= 0) {
			throw new ControlError(400, 'validity_duration must be a positive number');
		}
		input.validity_duration = body.validity_duration;
	}
	return input;
}

/** `{afterMs, outcome}` turns scripted progression on; null, an empty body or {} turn it off. */
export function autoProgress(value: unknown): AutoProgress | null {
	if (value === undefined || value === null || (isRecord(value) && Object.keys(value).length === 0)) return null;
	const body = objectBody(value);
	const { afterMs, outcome } = body;
	if (typeof afterMs !== 'number' || !Number.isFinite(afterMs) || afterMs < 0) {
		throw new ControlError(400, 'afterMs must be a number >= 0');
	}
	if (outcome !== 'approve' && outcome !== 'reject') throw new ControlError(400, 'outcome must be "approve" or "reject"');
	const known = new Set(['afterMs', 'outcome', 'checker', 'checkerAfterMs']);
	const unknown = Object.keys(body).find((key) => !known.has(key));
	if (unknown) throw new ControlError(400, `unknown field "${unknown}"; known: ${[...known].join(', ')}`);
	const result: AutoProgress = { afterMs, outcome };
	if (body.checker !== undefined && body.checker !== null) {
		if (body.checker !== 'approve' && body.checker !== 'reject') throw new ControlError(400, 'checker must be "approve" or "reject"');
		result.checker = body.checker;
	}
	if (body.checkerAfterMs !== undefined) {
		const after = body.checkerAfterMs;
		if (typeof after !== 'number' || !Number.isFinite(after) || after < 0) throw new ControlError(400, 'checkerAfterMs must be a number >= 0');
		if (!result.checker) throw new ControlError(400, 'checkerAfterMs needs checker');
		result.checkerAfterMs = after;
	}
	return result;
}

function checkerBody(value: unknown): { decision: Decision | 'start'; reason?: string } {
	const body = objectBody(value);
	const { decision, reason } = body;
	if (decision !== 'approve' && decision !== 'reject' && decision !== 'start') {
		throw new ControlError(400, 'decision must be "approve", "reject" or "start"');
	}
	if (reason !== undefined && typeof reason !== 'string') throw new ControlError(400, 'reason must be a string');
	if (reason !== undefined && reason.length > 500) throw new ControlError(400, 'reason must be at most 500 characters');
	return reason === undefined ? { decision } : { decision, reason };
}

function shapeSettings(value: unknown): Partial<ShapeSettings> {
	const body = objectBody(value);
	const settings: Partial<ShapeSettings> = {};
	const unknown = Object.keys(body).find((key) => key !== 'shape' && key !== 'checkerStep');
	if (unknown) throw new ControlError(400, `unknown field "${unknown}"; known: shape, checkerStep`);
	if (body.shape !== undefined) {
		if (body.shape !== 'live' && body.shape !== 'reference') throw new ControlError(400, 'shape must be "live" or "reference"');
		settings.shape = body.shape;
	}
	if (body.checkerStep !== undefined) {
		if (typeof body.checkerStep !== 'boolean') throw new ControlError(400, 'checkerStep must be true or false');
		settings.checkerStep = body.checkerStep;
	}
	return settings;
}

function tenantCodes(body: unknown): TenantCodes {
	const object = objectBody(body);
	const codes: TenantCodes = {};
	for (const [path, list] of Object.entries(object)) {
		if (!/^[A-Z_]+\.[A-Za-z0-9_]+$/.test(path)) throw new ControlError(400, `${path}: a field path like BASIC_INFORMATION.amc`);
		if (!Array.isArray(list) || !list.every((code) => typeof code === 'string')) {
			throw new ControlError(400, `${path}: a list of accepted codes (strings)`);
		}
		codes[path] = list as string[];
	}
	return codes;
}

/** Everything under /__sandbox: the control routes and the console's files. */
export const controlFeature: SandboxFeature = {
	matches: (path) => path === '/__sandbox' || path.startsWith('/__sandbox/'),
	handle: (req, res, target, sandbox) => handleControl(req, res, target.pathname.slice('/__sandbox'.length), sandbox),
};

/** Header values are often secrets (Authorization): the control API names them only. */
function hideHeaderValues(subscription: WebhookSubscription): Record<string, unknown> {
	return {
		...subscription,
		url: urlWithoutQuery(subscription.url),
		headers: Object.fromEntries(Object.keys(subscription.headers).map((name) => [name, '(hidden)'])),
	};
}

/** `headers` as an object, or as lines "Name: value" (what the console's form sends). */
function webhookInput(value: unknown): WebhookInput {
	const body = objectBody(value);
	const known = new Set(['url', 'events', 'headers', 'shape']);
	const unknown = Object.keys(body).find((key) => !known.has(key));
	if (unknown) throw new ControlError(400, `unknown field "${unknown}"; known: ${[...known].join(', ')}`);
	if (typeof body.url !== 'string') throw new ControlError(400, 'url must be a string');
	const input: WebhookInput = { url: body.url };
	if (body.events !== undefined) {
		if (!Array.isArray(body.events) || !body.events.every((event) => typeof event === 'string')) {
			throw new ControlError(400, 'events must be a list of event names');
		}
		input.events = body.events as string[];
	}
	if (body.headers !== undefined) {
		if (Array.isArray(body.headers)) {
			if (!body.headers.every((line) => typeof line === 'string')) throw new ControlError(400, 'headers must be "Name: value" lines');
			input.headers = Object.fromEntries((body.headers as string[]).filter((line) => line.trim() !== '').map(parseHeaderLine));
		} else if (isRecord(body.headers)) {
			const entries = Object.entries(body.headers);
			if (!entries.every(([, v]) => typeof v === 'string')) throw new ControlError(400, 'header values must be strings');
			input.headers = Object.fromEntries(entries as Array<[string, string]>);
		} else {
			throw new ControlError(400, 'headers must be an object or a list of "Name: value" lines');
		}
	}
	if (body.shape !== undefined) {
		if (typeof body.shape !== 'string') throw new ControlError(400, 'shape must be a string');
		input.shape = body.shape;
	}
	return input;
}
