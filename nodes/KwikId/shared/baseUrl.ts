/**
 * Turns the credential's `domain` and `environment` into the API's base URL.
 *
 * KwikID SaaS tenants live at `https://<domain>.<environment>.getkwikid.com`; bank-hosted installs
 * have their own host; the sandbox runs on loopback over plain http. All three are accepted, and
 * plain http is refused for anything but loopback so a typo never sends a password in clear text.
 */

export type KwikIdEnvironment = 'test' | 'app';

/** A base URL, or the reason the credential's Domain cannot be one (said to the user). */
export type BaseUrlResult = { ok: true; url: string } | { ok: false; reason: string };

const fail = (reason: string): BaseUrlResult => ({ ok: false, reason });

const SUBDOMAIN = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/i;
const HOST = /^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/i;
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

function isLoopback(hostname: string): boolean {
	return LOOPBACK_HOSTS.has(hostname.toLowerCase()) || /^127(?:\.\d{1,3}){3}$/.test(hostname);
}

export function resolveBaseUrl(domain: unknown, environment: unknown = 'test'): BaseUrlResult {
	const raw = typeof domain === 'string' ? domain.trim() : '';
	if (raw === '') {
		return fail(
			'The KwikID credential has no Domain. Enter your KwikID domain, e.g. "acme" for https://acme.test.getkwikid.com.',
		);
	}
	const env = environment === 'app' ? 'app' : 'test';

	if (SUBDOMAIN.test(raw)) {
		return { ok: true, url: `https://${raw.toLowerCase()}.${env}.getkwikid.com` };
	}

	const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `https://${raw}`;
	const url = URL.canParse(withScheme) ? new URL(withScheme) : undefined;
	if (!url) {
		return fail(
			`The KwikID credential's Domain "${raw}" is not a domain, host or URL. Use e.g. "acme", "acme.test.getkwikid.com" or "https://kyc.mybank.in".`,
		);
	}
	const hostname = url.hostname;
	if (url.protocol !== 'https:' && url.protocol !== 'http:') {
		return fail(
			`The KwikID credential's Domain uses "${url.protocol}"; only https (or http for a local sandbox) works.`,
		);
	}
	if (url.protocol === 'http:' && !isLoopback(hostname)) {
		return fail(
			`The KwikID credential's Domain uses plain http for "${hostname}". Use https; plain http is only allowed for a local sandbox (localhost or 127.0.0.1).`,
		);
	}
	if (!isLoopback(hostname) && !HOST.test(hostname)) {
		return fail(`The KwikID credential's Domain "${raw}" has an invalid host name.`);
	}
	if (url.username || url.password || url.search || url.hash) {
		return fail(
			"The KwikID credential's Domain must not contain a user name, password, query or fragment: only the base address.",
		);
	}
	const path = url.pathname.replace(/\/+$/, '');
	return { ok: true, url: `${url.protocol}//${url.host}${path}` };
}
