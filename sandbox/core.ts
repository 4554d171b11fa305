/**
 * The sandbox's HTTP server: routing, the fault pipeline, counters and lifecycle. What each
 * endpoint answers is in api.ts. Everything else (the /__sandbox/ control routes, the console,
 * the customer page) is a feature that registers its routes here (SandboxFeature); server.ts
 * assembles them, so nothing here imports a feature.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';

import * as api from './api';
import type { TenantCodes } from './dkyc';
import { FaultState, type EndpointKey, type Faults } from './faults';
import { HTML, isRecord, parseJson, readBody } from './http';
import { TokenAuthority } from './jwt';
import {
	WebhookSender,
	type SessionFacts,
	type WebhookDelivery,
	type WebhookInput,
	type WebhookRetry,
	type WebhookSubscription,
} from './webhooks';
import {
	auditFields,
	CheckerError,
	checkerDecisionEvent,
	SessionStore,
	statusDecisionEvent,
	type AutoProgress,
	type Decision,
	type DecisionEvent,
	type RenderView,
	type SessionInput,
	type SessionSnapshot,
	type Shape,
} from './sessions';

export { CheckerError } from './sessions';
export { WebhookInputError } from './webhooks';
export type { PayloadShape, WebhookDelivery, WebhookInput, WebhookRetry, WebhookShape, WebhookSubscription } from './webhooks';
export type { AutoProgress, Decision, DecisionEvent, SessionInput, SessionSnapshot, Shape } from './sessions';
export type { EndpointKey, Faults } from './faults';

export interface SandboxOptions {
	/** 0 (default) picks a free port. */
	port?: number;
	/** Default 127.0.0.1. */
	host?: string;
	/** Accepted credentials; default sandbox / sandbox1234. Must pass the documented rules. */
	username?: string;
	password?: string;
	/** Token lifetime, default 12 h. Fractions allowed (tests use e.g. 0.2). */
	tokenTtlSec?: number;
	autoProgress?: AutoProgress | null;
	faults?: Partial<Faults>;
	/** Entries kept by requestLog(), newest last; default 100. */
	logLimit?: number;
	/** The account's own code lists Push DKYC values must be in (see dkyc.ts); none by default. */
	tenantCodes?: TenantCodes;
	/**
	 * Where the API lives: 'standard' (default) under /agentapi and /appapi as KwikID SaaS;
	 * 'bank' without a prefix (/v1/agent/generate_token...) as a bank-hosted install. The other
	 * paths then answer 404, as a wrong install would.
	 */
	paths?: ApiPathMode;
	/**
	 * get_details' shape: 'live' (default; what live installs send and users will meet) or
	 * 'reference' (KwikID's published document, field for field).
	 */
	shape?: Shape;
	/** Whether the account has a checker step (audit fields, checkerDecide). Default: on in the live shape. */
	checkerStep?: boolean;
	/** Webhook subscriptions from the start (as in KwikID's dashboard); more can be added later. */
	webhooks?: WebhookInput[];
	/** Retries of failed webhook deliveries: delay, attempts, timeout (defaults 1000 ms, 5, 10 000 ms). */
	webhookRetry?: WebhookRetry;
}

export type ApiPathMode = 'standard' | 'bank';

/** The shape get_details answers in. */
export interface ShapeSettings {
	shape: Shape;
	checkerStep: boolean;
}

/** A decision as it happened: the agent's (maker) or the checker's. */
export interface DecisionNotice {
	event: DecisionEvent;
	sessionId: string;
	/** Epoch milliseconds. */
	at: number;
}

/**
 * One API request as the sandbox saw it, or one webhook delivery attempt it made (endpoint
 * 'webhook', path: the URL without its query). No bodies: they hold personal data.
 */
export interface RequestLogEntry {
	at: string;
	method: string;
	path: string;
	endpoint: EndpointKey | 'webhook';
	/** HTTP status; 'dropped' when a drop fault destroyed the socket; 'no answer' for a webhook nobody answered. */
	status: number | 'dropped' | 'no answer';
	ms: number;
	/** user_id of a sendLink or push_user_data body, when it has one. */
	userId?: string;
	/** For webhook deliveries. */
	webhook?: { event: DecisionEvent; shape: string; attempt: number; session_id: string };
}

export interface SandboxStats {
	/** API requests that reached an endpoint handler, faulted or dropped ones included. */
	total: number;
	requests: Record<EndpointKey, number>;
	/** Every API answer by HTTP status, router answers (308, 404, 405) included. */
	statusCodes: Record<string, number>;
	/** Answers by HTTP status, per endpoint. */
	byEndpoint: Record<EndpointKey, Record<string, number>>;
	/** Requests whose socket was destroyed by a `drop` fault (no status). */
	dropped: number;
	/** API requests being handled right now, and the most at any moment since the last reset. */
	inFlight: number;
	maxInFlight: number;
	maxInFlightByEndpoint: Record<EndpointKey, number>;
	/** Times `expireTokensEvery` revoked every token. */
	tokenExpiries: number;
}

export interface SessionListEntry {
	session_id: string;
	status: string;
	user_id: string;
	session_type: string;
}

export interface Sandbox {
	/** e.g. http://127.0.0.1:41234 (no trailing slash) */
	readonly url: string;
	readonly port: number;
	readonly username: string;
	readonly password: string;
	/** Stops at once: open keep-alive sockets and delayed answers are destroyed. */
	close(): Promise<void>;
	stats(): SandboxStats;
	resetStats(): void;
	/** The last `logLimit` API requests, oldest first. */
	requestLog(): RequestLogEntry[];
	/** Back to the state createSandbox left: no sessions, the options' faults and autoProgress, zero counters. */
	reset(): void;
	/** Replaces only the kinds given; `null` turns one off. Throws FaultInputError on bad input. */
	setFaults(partial: Partial<Faults>): void;
	clearFaults(): void;
	/** Current faults, with remaining counts. */
	faults(): Faults;
	/** Every token issued so far becomes "Token is invalid". */
	expireTokens(): void;
	/** A valid token without an HTTP round trip (for tests of later calls). */
	issueToken(): string;
	setStatus(sessionId: string, status: string, comment?: string): SessionSnapshot;
	getSession(sessionId: string): SessionSnapshot | undefined;
	/** The session behind a customer link (`link_id`), if any. */
	sessionByLinkId(linkId: string): SessionSnapshot | undefined;
	listSessions(): SessionListEntry[];
	createSession(input?: SessionInput): SessionSnapshot;
	/** Applies to sessions created afterwards; null turns it off. */
	setAutoProgress(value: AutoProgress | null): void;
	getAutoProgress(): AutoProgress | null;
	/** Replaces the account's code lists; {} removes them. */
	setTenantCodes(codes: TenantCodes): void;
	getTenantCodes(): TenantCodes;
	/** Changes only what is given; answers given afterwards use it. */
	setShape(settings: Partial<ShapeSettings>): ShapeSettings;
	getShape(): ShapeSettings;
	/** An auditor opens an agent-decided session (audit_lock, audit_init_time, auditor_name, audit_id). */
	checkerStart(sessionId: string): SessionSnapshot;
	/**
	 * The checker's decision on an agent-decided session; session_status stays the agent's.
	 * Throws CheckerError without a checker step or before the agent decided.
	 */
	checkerDecide(sessionId: string, decision: Decision, reason?: string): SessionSnapshot;
	/** Calls `listener` for every decision (agent or checker) from now on; returns the unsubscribe. */
	onDecision(listener: (notice: DecisionNotice) => void): () => void;
	/** Subscribes a URL to decision events. Throws WebhookInputError on bad input. */
	addWebhook(input: WebhookInput): WebhookSubscription;
	listWebhooks(): WebhookSubscription[];
	/** False if there was none with that id. */
	removeWebhook(id: string): boolean;
	/** Every delivery attempt since the last reset, oldest first. */
	webhookDeliveries(): WebhookDelivery[];
	/** Resolves once no delivery is running or waiting to be retried. */
	webhooksSettled(): Promise<void>;
	/** Resolves with webhookDeliveries() once `count` attempts have finished since the last reset. */
	waitForWebhookDeliveries(count: number): Promise<WebhookDelivery[]>;
}

/** A part of the sandbox that answers some paths itself (control routes, console, customer page). */
export interface SandboxFeature {
	matches(path: string): boolean;
	handle(req: IncomingMessage, res: ServerResponse, target: URL, sandbox: Sandbox): Promise<void>;
}

type Route =
	| { kind: 'endpoint'; endpoint: EndpointKey; params: string[] }
	| { kind: 'reply'; reply: api.Reply };

type ApiRoute = { endpoint: EndpointKey; method: 'GET' | 'POST'; pattern: RegExp };

function routesUnder(agent: string, app: string): ReadonlyArray<ApiRoute> {
	return [
		{ endpoint: 'generate_token', method: 'POST', pattern: new RegExp(`^${agent}/v1/agent/generate_token$`) },
		{ endpoint: 'sendLink', method: 'POST', pattern: new RegExp(`^${agent}/v1/agent/sendLink/$`) },
		{ endpoint: 'get_details', method: 'GET', pattern: new RegExp(`^${agent}/v1/session/get_details/([^/]+)$`) },
		{ endpoint: 'push_user_data', method: 'POST', pattern: new RegExp(`^${app}/v1/dkyc/push_user_data$`) },
		// Reference media links, and live installs' own host (/v1/download_content/...): both need `auth`.
		{ endpoint: 'media', method: 'GET', pattern: /^\/(media|v1\/download_content)\/([^/]+)\/([^/]+)$/ },
	];
}

/** Per path mode: the routes, and sendLink without its slash (Flask's strict_slashes redirects it). */
const API_ROUTES: Record<ApiPathMode, { routes: ReadonlyArray<ApiRoute>; sendLinkWithoutSlash: string }> = {
	standard: { routes: routesUnder('/agentapi', '/appapi'), sendLinkWithoutSlash: '/agentapi/v1/agent/sendLink' },
	bank: { routes: routesUnder('', ''), sendLinkWithoutSlash: '/v1/agent/sendLink' },
};

function route(method: string, path: string, search: string, baseUrl: string, mode: ApiPathMode): Route {
	const { routes, sendLinkWithoutSlash } = API_ROUTES[mode];
	if (path === sendLinkWithoutSlash) {
		const location = `${baseUrl}${path}/${search}`;
		return { kind: 'reply', reply: { status: 308, html: HTML.redirect(location), headers: { Location: location } } };
	}
	for (const { endpoint, method: allowed, pattern } of routes) {
		const match = pattern.exec(path);
		if (!match) continue;
		if (method === allowed || (allowed === 'GET' && method === 'HEAD')) {
			return { kind: 'endpoint', endpoint, params: match.slice(1) };
		}
		const allow = allowed === 'GET' ? 'GET, HEAD, OPTIONS' : 'POST, OPTIONS';
		return { kind: 'reply', reply: { status: 405, html: HTML.methodNotAllowed, headers: { Allow: allow } } };
	}
	return { kind: 'reply', reply: api.notFoundHtml() };
}

function emptyStats(): SandboxStats {
	const perEndpoint = <T>(make: () => T): Record<EndpointKey, T> => ({
		generate_token: make(),
		sendLink: make(),
		get_details: make(),
		push_user_data: make(),
		media: make(),
	});
	return {
		total: 0,
		requests: perEndpoint(() => 0),
		statusCodes: {},
		byEndpoint: perEndpoint(() => ({})),
		dropped: 0,
		inFlight: 0,
		maxInFlight: 0,
		maxInFlightByEndpoint: perEndpoint(() => 0),
		tokenExpiries: 0,
	};
}

/** Python/Flask jsonify sorts keys at every level. */
function sortKeys(value: unknown): unknown {
	if (Array.isArray(value)) return value.map(sortKeys);
	if (typeof value !== 'object' || value === null) return value;
	return Object.fromEntries(
		Object.entries(value)
			.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
			.map(([key, item]) => [key, sortKeys(item)]),
	);
}

export function writeReply(res: ServerResponse, reply: api.Reply): void {
	let body: Buffer;
	const headers: Record<string, string> = {};
	if ('json' in reply) {
		body = Buffer.from(`${JSON.stringify(reply.sorted ? sortKeys(reply.json) : reply.json)}\n`);
		headers['Content-Type'] = 'application/json';
	} else if ('html' in reply) {
		body = Buffer.from(reply.html);
		headers['Content-Type'] = 'text/html; charset=utf-8';
	} else {
		body = reply.bytes;
		headers['Content-Type'] = reply.contentType;
		headers['Content-Disposition'] = `attachment; filename="${reply.filename}"`;
	}
	headers['Content-Length'] = String(body.length);
	res.writeHead(reply.status, { ...headers, ...('headers' in reply ? reply.headers : {}) });
	res.end(body);
}

/** The origin the client used, so links and media URLs work from wherever it connects. */
function baseUrlOf(req: IncomingMessage, fallback: string): string {
	const host = req.headers.host;
	return host && /^[A-Za-z0-9.\-:[\]]+$/.test(host) ? `http://${host}` : fallback;
}

function userIdOf(req: IncomingMessage, body: Buffer): string | null {
	const parsed = parseJson(req, body);
	if (!parsed.ok || !isRecord(parsed.value)) return null;
	const userId = parsed.value.user_id;
	return typeof userId === 'string' ? userId : null;
}

export function initialShape(options: SandboxOptions): ShapeSettings {
	const shape = options.shape ?? 'live';
	return { shape, checkerStep: options.checkerStep ?? shape === 'live' };
}

export async function createSandboxCore(options: SandboxOptions, features: readonly SandboxFeature[]): Promise<Sandbox> {
	const username = options.username ?? 'sandbox';
	const password = options.password ?? 'sandbox1234';
	// Credentials the API's own rules would refuse could never log in: fail loudly instead.
	if (!/^[A-Za-z0-9]{3,20}$/.test(username) || !/^[A-Za-z0-9]{8,32}$/.test(password)) {
		throw new Error('sandbox username must be 3-20 and password 8-32 alphanumeric characters');
	}
	if (options.paths !== undefined && !Object.hasOwn(API_ROUTES, options.paths)) {
		throw new Error(`sandbox paths must be 'standard' or 'bank' (got "${String(options.paths)}")`);
	}
	const tokens = new TokenAuthority(options.tokenTtlSec ?? 12 * 3600);
	const store = new SessionStore(options.autoProgress ?? null);
	const faults = new FaultState(options.faults);
	let stats = emptyStats();
	const inFlight = new Map<EndpointKey, number>();
	let log: RequestLogEntry[] = [];
	const logLimit = options.logLimit ?? 100;
	let tenantCodes: TenantCodes = structuredClone(options.tenantCodes ?? {});
	let view: RenderView = initialShape(options);
	const recordLog = (entry: RequestLogEntry): void => {
		log.push(entry);
		if (log.length > logLimit) log = log.slice(-logLimit);
	};
	const sender = new WebhookSender(options.webhookRetry ?? {}, (delivery) =>
		recordLog({
			at: delivery.at,
			method: 'POST',
			path: delivery.url,
			endpoint: 'webhook',
			status: delivery.status,
			ms: delivery.ms,
			webhook: { event: delivery.event, shape: delivery.shape, attempt: delivery.attempt, session_id: delivery.session_id },
		}),
	);
	for (const input of options.webhooks ?? []) sender.add(input);
	/** Timers for scripted decisions (auto-progress), so they are announced when they happen. */
	const scripted = new Set<NodeJS.Timeout>();
	const clearScripted = (): void => {
		for (const timer of scripted) clearTimeout(timer);
		scripted.clear();
	};
	const listeners = new Set<(notice: DecisionNotice) => void>();
	const notify = (event: DecisionEvent | null, sessionId: string, at = Date.now()): void => {
		if (event === null) return;
		const notice: DecisionNotice = { event, sessionId, at };
		for (const listener of [...listeners]) listener(notice);
		const facts = sessionFacts(sessionId, at);
		if (facts) sender.deliver(event, facts, at);
	};
	const sessionFacts = (sessionId: string, at: number): SessionFacts | null => {
		const session = store.get(sessionId, at);
		if (!session) return null;
		const audit = auditFields(session.audit);
		return {
			session_id: session.session_id,
			user_id: session.user_id,
			session_status: session.status,
			audit_result: String(audit.audit_result),
			auditor_feedback: String(audit.auditor_feedback),
		};
	};
	store.onScripted((sessionId, decisions) => {
		for (const { event, at } of decisions) {
			const timer = setTimeout(() => {
				scripted.delete(timer);
				// Control may have taken the session over since; then its own calls announce what happens.
				if (!store.isScripted(sessionId)) return;
				if (event.startsWith('Checker') && !view.checkerStep) return;
				notify(event, sessionId, at);
			}, Math.max(0, at - Date.now()));
			timer.unref();
			scripted.add(timer);
		}
	});
	/** API requests other than generate_token, for expireTokensEvery. */
	let apiCalls = 0;
	let closed = false;
	let url = '';

	/** Delayed answers waiting on latency; close() releases them so nothing outlives the server. */
	const pending = new Set<() => void>();
	const delay = (ms: number): Promise<void> => {
		if (ms <= 0) return Promise.resolve();
		return new Promise((resolve) => {
			const finish = (): void => {
				clearTimeout(timer);
				pending.delete(finish);
				resolve();
			};
			const timer = setTimeout(finish, ms);
			pending.add(finish);
		});
	};

	const respond = (res: ServerResponse, endpoint: EndpointKey | undefined, reply: api.Reply): void => {
		const code = String(reply.status);
		stats.statusCodes[code] = (stats.statusCodes[code] ?? 0) + 1;
		if (endpoint) stats.byEndpoint[endpoint][code] = (stats.byEndpoint[endpoint][code] ?? 0) + 1;
		writeReply(res, reply);
	};

	/** Counts the request in flight and logs it once answered (or dropped). */
	const handleApi = async (
		req: IncomingMessage,
		res: ServerResponse,
		endpoint: EndpointKey,
		params: string[],
		baseUrl: string,
	): Promise<void> => {
		const started = Date.now();
		const counted = stats;
		const current = (inFlight.get(endpoint) ?? 0) + 1;
		inFlight.set(endpoint, current);
		counted.inFlight += 1;
		counted.maxInFlight = Math.max(counted.maxInFlight, counted.inFlight);
		counted.maxInFlightByEndpoint[endpoint] = Math.max(counted.maxInFlightByEndpoint[endpoint], current);
		const entry: RequestLogEntry = {
			at: new Date(started).toISOString(),
			method: req.method ?? 'GET',
			path: new URL(req.url ?? '/', 'http://sandbox.invalid').pathname,
			endpoint,
			status: 'dropped',
			ms: 0,
		};
		try {
			await answerApi(req, res, endpoint, params, baseUrl, entry);
		} finally {
			inFlight.set(endpoint, (inFlight.get(endpoint) ?? 1) - 1);
			counted.inFlight = Math.max(0, counted.inFlight - 1);
			if (res.headersSent) entry.status = res.statusCode;
			entry.ms = Date.now() - started;
			recordLog(entry);
		}
	};

	const answerApi = async (
		req: IncomingMessage,
		res: ServerResponse,
		endpoint: EndpointKey,
		params: string[],
		baseUrl: string,
		entry: RequestLogEntry,
	): Promise<void> => {
		stats.total += 1;
		stats.requests[endpoint] += 1;
		let body: Buffer;
		try {
			body = await readBody(req);
		} catch {
			return respond(res, endpoint, api.badRequestHtml());
		}
		if (endpoint === 'sendLink' || endpoint === 'push_user_data') {
			const userId = userIdOf(req, body);
			if (userId !== null) entry.userId = userId;
		}
		if (endpoint !== 'generate_token') {
			apiCalls += 1;
			const every = faults.expireTokensEvery;
			if (every > 0 && apiCalls % every === 0) {
				tokens.revokeAll();
				stats.tokenExpiries += 1;
			}
		}
		const decision = faults.decide(endpoint);
		await delay(faults.delayMs());
		if (closed) return;
		if (decision.kind === 'drop') {
			stats.dropped += 1;
			req.socket.destroy();
			return;
		}
		if (decision.kind === 'rateLimited') return respond(res, endpoint, api.rateLimited(decision.retryAfterSec));
		if (decision.kind === 'serverError') {
			const track = { user_id: userIdOf(req, body), session_id: null };
			return respond(res, endpoint, api.serverError(endpoint, decision.html, track));
		}

		const ctx: api.ApiContext = { store, tokens, username, password, baseUrl, nowMs: Date.now(), tenantCodes, view };
		if (endpoint !== 'generate_token') {
			const denied = api.checkAuth(req.headers.auth, ctx);
			if (denied) return respond(res, endpoint, denied);
		}
		let reply: api.CreatingReply;
		switch (endpoint) {
			case 'generate_token':
				reply = api.generateToken(parseJson(req, body), ctx);
				break;
			case 'sendLink':
				reply = api.sendLink(parseJson(req, body), ctx);
				break;
			case 'get_details':
				reply = api.getDetails(params[0], ctx);
				break;
			case 'push_user_data':
				reply = api.pushUserData(parseJson(req, body), ctx);
				break;
			case 'media':
				reply = api.media(params[0], decodeSegment(params[1]), decodeSegment(params[2]), ctx);
				break;
		}
		// afterCreate: the session exists now, yet the client sees a failure it must not "fix" by resending.
		if (decision.afterCreateArmed && reply.created) {
			const fault = faults.takeAfterCreate(endpoint);
			if (fault) {
				const track = { user_id: reply.created.userId, session_id: reply.created.sessionId };
				reply = api.serverError(endpoint, fault.html, track);
			}
		}
		respond(res, endpoint, reply);
	};

	const sandbox: Sandbox = {
		get url() {
			return url;
		},
		get port() {
			return Number(new URL(url).port);
		},
		username,
		password,
		close: async () => {
			if (closed) return;
			closed = true;
			for (const release of [...pending]) release();
			clearScripted();
			sender.stop();
			await new Promise<void>((resolve) => {
				server.close(() => resolve());
				server.closeAllConnections();
			});
		},
		stats: () => structuredClone(stats),
		resetStats: () => {
			stats = emptyStats();
			log = [];
		},
		requestLog: () => structuredClone(log),
		reset: () => {
			store.clear();
			store.setAutoProgress(options.autoProgress ?? null);
			faults.clear();
			if (options.faults) faults.set(options.faults);
			stats = emptyStats();
			log = [];
			apiCalls = 0;
			tenantCodes = structuredClone(options.tenantCodes ?? {});
			view = initialShape(options);
			clearScripted();
			sender.clear(options.webhooks ?? []);
		},
		setFaults: (partial) => faults.set(partial),
		clearFaults: () => faults.clear(),
		faults: () => faults.snapshot(),
		expireTokens: () => tokens.revokeAll(),
		issueToken: () => tokens.issue(username),
		setStatus: (sessionId, status, comment) => {
			const before = store.get(sessionId)?.status;
			const snapshot = store.setStatus(sessionId, status, comment);
			// Setting the status it already has decides nothing new.
			if (before !== status) notify(statusDecisionEvent(status), sessionId);
			return snapshot;
		},
		getSession: (sessionId) => store.get(sessionId),
		sessionByLinkId: (linkId) => store.findByLinkId(linkId),
		listSessions: () => store.list(),
		createSession: (input) => store.create(input),
		setAutoProgress: (value) => store.setAutoProgress(value),
		getAutoProgress: () => store.getAutoProgress(),
		setTenantCodes: (codes) => {
			tenantCodes = structuredClone(codes);
		},
		getTenantCodes: () => structuredClone(tenantCodes),
		setShape: (settings) => {
			view = { ...view, ...settings };
			return { ...view };
		},
		getShape: () => ({ ...view }),
		checkerStart: (sessionId) => {
			requireCheckerStep();
			return store.checkerStart(sessionId);
		},
		checkerDecide: (sessionId, decision, reason) => {
			requireCheckerStep();
			const snapshot = store.checkerDecide(sessionId, decision, reason);
			notify(checkerDecisionEvent(decision), sessionId);
			return snapshot;
		},
		addWebhook: (input) => sender.add(input),
		listWebhooks: () => sender.list(),
		removeWebhook: (id) => sender.remove(id),
		webhookDeliveries: () => sender.deliveries(),
		webhooksSettled: () => sender.settled(),
		waitForWebhookDeliveries: (count) => sender.waitForAttempts(count),
		onDecision: (listener) => {
			listeners.add(listener);
			return () => {
				listeners.delete(listener);
			};
		},
	};

	const requireCheckerStep = (): void => {
		if (!view.checkerStep) throw new CheckerError('this account has no checker step (turn it on with checkerStep)');
	};

	const server = createServer((req, res) => {
		const target = new URL(req.url ?? '/', 'http://sandbox.invalid');
		const path = target.pathname;
		const feature = features.find((candidate) => candidate.matches(path));
		const handling = feature ? feature.handle(req, res, target, sandbox) : dispatch(req, res, path, target.search);
		handling.catch(() => {
			// A bug in the sandbox should look like the real API failing, not hang the client.
			if (!res.headersSent && !res.destroyed) writeReply(res, { status: 500, html: HTML.serverError });
		});
	});

	const dispatch = async (req: IncomingMessage, res: ServerResponse, path: string, search: string): Promise<void> => {
		const baseUrl = baseUrlOf(req, url);
		const found = route(req.method ?? 'GET', path, search, baseUrl, options.paths ?? 'standard');
		if (found.kind === 'endpoint') return handleApi(req, res, found.endpoint, found.params, baseUrl);
		req.resume();
		respond(res, undefined, found.reply);
	};

	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
			server.off('error', reject);
			resolve();
		});
	});
	const address = server.address();
	if (address === null || typeof address === 'string') throw new Error('sandbox is not listening on TCP');
	const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
	url = `http://${host}:${address.port}`;
	return sandbox;
}

function decodeSegment(segment: string): string {
	try {
		return decodeURIComponent(segment);
	} catch {
		return segment;
	}
}
