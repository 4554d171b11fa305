/** Small HTTP helpers for the sandbox tests: real requests with Node's global fetch. */
import { createSandbox, type Sandbox, type SandboxOptions } from '../../sandbox/server';

export const PATHS = {
	token: '/agentapi/v1/agent/generate_token',
	sendLink: '/agentapi/v1/agent/sendLink/',
	details: (id: string): string => `/agentapi/v1/session/get_details/${encodeURIComponent(id)}`,
	push: '/appapi/v1/dkyc/push_user_data',
} as const;

export interface Answer {
	status: number;
	headers: Headers;
	text: string;
	/** Parsed body, or undefined when it is not JSON. */
	body: unknown;
}

export async function call(
	sandbox: Sandbox,
	method: string,
	path: string,
	options: { json?: unknown; raw?: string; headers?: Record<string, string>; redirect?: 'follow' | 'manual' | 'error' } = {},
): Promise<Answer> {
	const headers: Record<string, string> = { ...options.headers };
	let body: string | undefined;
	if (options.json !== undefined) {
		body = JSON.stringify(options.json);
		headers['content-type'] ??= 'application/json';
	} else if (options.raw !== undefined) {
		body = options.raw;
	}
	const response = await fetch(`${sandbox.url}${path}`, { method, headers, body, redirect: options.redirect });
	const text = await response.text();
	let parsed: unknown;
	try {
		parsed = JSON.parse(text);
	} catch {
		parsed = undefined;
	}
	return { status: response.status, headers: response.headers, text, body: parsed };
}

export async function getToken(sandbox: Sandbox): Promise<string> {
	const answer = await call(sandbox, 'POST', PATHS.token, {
		json: { username: sandbox.username, password: sandbox.password },
	});
	const token = (answer.body as { Token?: unknown } | undefined)?.Token;
	if (answer.status !== 200 || typeof token !== 'string') throw new Error(`no token: ${answer.status} ${answer.text}`);
	return token;
}

export const validSendLink = (overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
	user_id: 'user-1',
	phone_number: '9876543210',
	send_notification: 1,
	link_type: 'free',
	...overrides,
});

/** Starts a sandbox per test file; reset between tests keeps them independent. */
export function useSandbox(options?: SandboxOptions): { readonly sb: Sandbox } {
	const holder: { sb?: Sandbox } = {};
	beforeAll(async () => {
		holder.sb = await createSandbox(options);
	});
	afterEach(() => holder.sb?.reset());
	afterAll(async () => {
		await holder.sb?.close();
	});
	return {
		get sb(): Sandbox {
			if (!holder.sb) throw new Error('sandbox not started');
			return holder.sb;
		},
	};
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * `work`'s value, or `late` if `ms` pass first: a race that proves something does not wait, not a
 * timing. The timer is cleared when `work` wins, so it does not outlive the test and hold jest's
 * worker open.
 */
export async function within<T, L>(work: Promise<T>, ms: number, late: L): Promise<T | L> {
	let timer: ReturnType<typeof setTimeout> | undefined;
	const deadline = new Promise<L>((resolve) => {
		timer = setTimeout(() => resolve(late), ms);
	});
	try {
		return await Promise.race([work, deadline]);
	} finally {
		clearTimeout(timer);
	}
}

/** Narrow an unknown JSON body for property access in assertions. */
export function obj(value: unknown): Record<string, unknown> {
	if (typeof value !== 'object' || value === null || Array.isArray(value)) {
		throw new Error(`expected a JSON object, got ${JSON.stringify(value)}`);
	}
	return value as Record<string, unknown>;
}
