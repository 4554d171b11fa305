/**
 * n8n 2.x's SSRF protection (`N8N_SSRF_PROTECTION_ENABLED=true`) refuses every request of every
 * node to private, loopback and link-local addresses before it leaves n8n. A bank-hosted KwikID
 * on a private network, and the local sandbox, are such addresses: the refusal must say so and
 * name the allow entry, not read as "could not reach the server".
 */
import { isRecord } from '../shared/objects';

/** What n8n 2.41 throws (`SsrfBlockedIpError`, `SsrfBlockedHostnameError`, from @n8n/backend-network). */
const SSRF_ERROR_NAME = /^Ssrf[A-Za-z]*Error$/;

/** The address n8n refused, when an error (or one it wraps) is n8n's SSRF refusal. */
export function ssrfBlocked(error: unknown): { ip?: string; hostname?: string } | undefined {
	let current: unknown = error;
	for (let depth = 0; depth < 6 && isRecord(current); depth++) {
		if (typeof current.name === 'string' && SSRF_ERROR_NAME.test(current.name)) {
			return {
				...(typeof current.ip === 'string' ? { ip: current.ip } : {}),
				...(typeof current.hostname === 'string' ? { hostname: current.hostname } : {}),
			};
		}
		current = current.cause;
	}
	return undefined;
}

const HEADLINE = "n8n's SSRF protection (N8N_SSRF_PROTECTION_ENABLED) refused to connect to";

/** What follows such a refusal, for the error's description: the credential is not at fault. */
export const SSRF_DESCRIPTION =
	'Nothing was sent to KwikID. The KwikID credential need not change: the allow entry is set where n8n runs (its environment variables), then n8n is restarted.';

/** Whether a message (e.g. a failed login's) is one `ssrfMessage` wrote. */
export function isSsrfMessage(message: string): boolean {
	return message.startsWith(HEADLINE);
}

/** The user's explanation of an SSRF refusal of a request to `url`. */
export function ssrfMessage(blocked: { ip?: string; hostname?: string }, url?: string): string {
	let fromUrl = '';
	try {
		fromUrl = url ? new URL(url).hostname.replace(/^\[|\]$/g, '') : '';
	} catch {
		// An unreadable URL: name what n8n named.
	}
	const host = blocked.hostname || fromUrl || blocked.ip || '';
	const isIp = (text: string): boolean => /^[0-9.]+$/.test(text) || text.includes(':');
	const ip = blocked.ip ?? (isIp(host) ? host : undefined);
	// n8n checks an address in the URL against the IP ranges only (a bare address is not a range),
	// and a host name against the host names.
	const entry =
		host !== '' && !isIp(host)
			? `N8N_SSRF_ALLOWED_HOSTNAMES=${host}`
			: ip
				? `N8N_SSRF_ALLOWED_IP_RANGES=${ip}${ip.includes(':') ? '/128' : '/32'}`
				: 'N8N_SSRF_ALLOWED_IP_RANGES (addresses) or N8N_SSRF_ALLOWED_HOSTNAMES (host names)';
	const where = host ? `${host}${ip && ip !== host ? ` (${ip})` : ''}` : 'the KwikID server';
	return `${HEADLINE} ${where}: it blocks private and loopback addresses. If this is your KwikID install, ask your n8n administrator to allow it, e.g. ${entry}.`;
}
