/**
 * Where the API lives below the base URL: the one place that builds KwikID's paths.
 *
 * KwikID SaaS serves the agent API under `/agentapi` and the app API (push_user_data) under
 * `/appapi`. Bank-hosted installs serve the same endpoints under other prefixes, often none
 * (`/v1/agent/generate_token`). The credential's "Custom API Paths" switch exposes both prefixes;
 * a credential saved before the switch existed has neither field and gets the standard paths.
 */

export interface ApiPrefixes {
	/** e.g. '/agentapi', or '' for none. Never ends with a slash. */
	agent: string;
	/** e.g. '/appapi', or '' for none. */
	app: string;
}

export const STANDARD_PREFIXES: Readonly<ApiPrefixes> = { agent: '/agentapi', app: '/appapi' };

/** The credential's fields (n8n drops hidden ones: with the switch off, the prefixes are absent). */
export interface PrefixFields {
	customApiPaths?: unknown;
	agentApiPrefix?: unknown;
	appApiPrefix?: unknown;
}

export type PrefixesResult = { ok: true; prefixes: ApiPrefixes } | { ok: false; reason: string };

/** Letters, digits and the characters a path segment may carry unescaped; no `?`, `#`, `\`, `%`. */
const PATH = /^(?:\/[A-Za-z0-9._~!$&'()*+,;=:@-]+)*$/;

function readPrefix(value: unknown, fallback: string, label: string): { ok: true; prefix: string } | { ok: false; reason: string } {
	if (value === undefined || value === null) return { ok: true, prefix: fallback };
	if (typeof value !== 'string') return { ok: false, reason: `The KwikID credential's ${label} must be text, e.g. "${fallback}".` };
	const text = value.trim();
	// "/" and trailing slashes mean the same as without them.
	const prefix = text.replace(/\/+$/, '');
	if (prefix === '') return { ok: true, prefix: '' };
	const shown = text.length > 60 ? `${text.slice(0, 60)}...` : text;
	if (!prefix.startsWith('/')) {
		return { ok: false, reason: `The KwikID credential's ${label} "${shown}" must start with "/", e.g. "${fallback}". Leave it empty for none.` };
	}
	if (/[?#]/.test(prefix)) {
		return { ok: false, reason: `The KwikID credential's ${label} "${shown}" must be a path only, without "?" or "#".` };
	}
	if (prefix.split('/').some((segment) => segment === '..' || segment === '.')) {
		return { ok: false, reason: `The KwikID credential's ${label} "${shown}" must not contain "." or ".." segments.` };
	}
	if (!PATH.test(prefix)) {
		return {
			ok: false,
			reason: `The KwikID credential's ${label} "${shown}" may only hold letters, digits and - . _ ~ between single slashes (no spaces, "%" or "\\"), e.g. "${fallback}" or "/kyc/agentapi".`,
		};
	}
	return { ok: true, prefix };
}

/** The prefixes a credential asks for, or the reason one cannot be used (naming the field). */
export function resolveApiPrefixes(fields: PrefixFields): PrefixesResult {
	if (fields.customApiPaths !== true) return { ok: true, prefixes: { ...STANDARD_PREFIXES } };
	const agent = readPrefix(fields.agentApiPrefix, STANDARD_PREFIXES.agent, 'Agent API Path Prefix');
	if (!agent.ok) return agent;
	const app = readPrefix(fields.appApiPrefix, STANDARD_PREFIXES.app, 'App API Path Prefix');
	if (!app.ok) return app;
	return { ok: true, prefixes: { agent: agent.prefix, app: app.prefix } };
}

/** Every endpoint the package calls, below the base URL. */
export interface ApiPaths {
	login: string;
	sendLink: string;
	/** get_details of a session id (percent-encoded here). */
	details(sessionId: string): string;
	pushUserData: string;
}

export function apiPaths(prefixes: ApiPrefixes): ApiPaths {
	return {
		login: `${prefixes.agent}/v1/agent/generate_token`,
		// Declared with a trailing slash (Flask's strict_slashes): without it KwikID redirects.
		sendLink: `${prefixes.agent}/v1/agent/sendLink/`,
		details: (sessionId) => `${prefixes.agent}/v1/session/get_details/${encodeURIComponent(sessionId)}`,
		pushUserData: `${prefixes.app}/v1/dkyc/push_user_data`,
	};
}
