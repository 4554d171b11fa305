/**
 * The customer page behind Send Link's `link_url` (`/user/%3Fl%3D<link_id>%26d%3D1%26s%3D0`):
 * a stand-in for KwikID's customer app, so a link a workflow e-mails or WhatsApps can be clicked
 * through. "Start video KYC" moves the session from `waiting` to `vkyc_requested`, as a customer
 * joining would; agents and results are played from the console.
 *
 * Like the real link it is open to whoever holds it (the link id is the secret), not only to
 * loopback callers: a phone on the same network can open it when the sandbox listens there.
 * It shows nothing but the masked phone and the status, takes no script, and, as KwikID's
 * web app rather than its API, is neither counted, logged nor faulted.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

import { maskPhone } from '../../nodes/KwikId/shared/mask';
import type { Sandbox, SandboxFeature, SessionSnapshot } from '../core';
import { escapeHtml } from './html';

export const CUSTOMER_PREFIX = '/user/';

/** `?l=<link_id>&d=1&s=0`, percent-encoded into the path as the API sends it, or as a real query. */
export function linkIdOf(pathname: string, search: string): string | null {
	let rest = pathname.slice(CUSTOMER_PREFIX.length);
	try {
		rest = decodeURIComponent(rest);
	} catch {
		return null;
	}
	const query = rest.startsWith('?') ? rest : search;
	const linkId = new URLSearchParams(query).get('l');
	return linkId === null || linkId === '' ? null : linkId;
}

const STYLE = `
body { margin: 0; font: 16px/1.5 system-ui, sans-serif; background: #eef2f7; color: #1d2733; }
main { max-width: 26rem; margin: 3rem auto; background: #fff; border-radius: 12px; padding: 1.5rem 1.75rem;
	box-shadow: 0 2px 12px rgba(0, 0, 0, 0.08); }
.brand { font-weight: 700; color: #2156c9; margin: 0 0 1rem; }
.brand span { font-weight: 400; color: #6b7785; }
h1 { font-size: 1.5rem; margin: 0 0 0.5rem; }
button { font: inherit; font-weight: 600; color: #fff; background: #2156c9; border: 0; border-radius: 8px;
	padding: 0.75rem 1.25rem; width: 100%; cursor: pointer; }
.state { font-size: 1.1rem; }
.note { color: #6b7785; font-size: 0.85rem; border-top: 1px solid #e3e8ef; padding-top: 0.75rem; margin-top: 1.5rem; }
code { font-size: 0.9em; }
`;

/** No script at all, and nothing from elsewhere: the page is static HTML plus one form. */
const CSP = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

function page(title: string, body: string): string {
	return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · KwikID sandbox</title>
<style>${STYLE}</style>
</head>
<body>
<main>
<p class="brand">KwikID <span>sandbox</span></p>
${body}
<p class="note">This page stands in for KwikID's customer app: there is no camera and no call. The agent's side is played from the sandbox console.</p>
</main>
</body>
</html>
`;
}

/** What the customer sees for each status; unknown statuses are shown as they are. */
function stateText(status: string, expired: boolean): string {
	if (status === 'waiting') return expired ? 'This link has expired.' : 'Your video KYC is ready to start.';
	if (status === 'vkyc_requested') return 'You are in the queue. An agent will join you shortly.';
	if (status === 'agent_alloted' || status === 'kyc_request_accepted') return 'Your video KYC is in progress.';
	if (status === 'kyc_request_rejected') return 'The agent could not take your call. Please wait for the next agent.';
	if (status === 'kyc_result_approved') return 'Your video KYC is complete. Thank you.';
	if (status === 'kyc_result_rejected' || status === 'kyc_rejected') return 'Your video KYC could not be approved.';
	if (status === 'session_expired') return 'This link has expired.';
	if (status === 'user_abandoned') return 'This session was closed.';
	return 'Your video KYC is being processed.';
}

export function customerPage(session: SessionSnapshot, now: number): string {
	const expired = now > session.created_at + session.validity_duration * 1000;
	const canStart = session.status === 'waiting' && !expired;
	const start = canStart
		? `<p>Keep your PAN card and Aadhaar ready, then start the call.</p>
<form method="post"><button type="submit">Start video KYC</button></form>`
		: '';
	return page(
		'Video KYC',
		`<h1>Video KYC</h1>
<p>For the mobile number ${escapeHtml(maskPhone(session.phone_number))}.</p>
<p class="state" id="state">${escapeHtml(stateText(session.status, expired))}</p>
${start}
<p>Status: <code id="status">${escapeHtml(session.status)}</code></p>`,
	);
}

function send(res: ServerResponse, status: number, html: string, headers: Record<string, string> = {}): void {
	const body = Buffer.from(html);
	res.writeHead(status, {
		'Content-Type': 'text/html; charset=utf-8',
		'Content-Length': String(body.length),
		'Cache-Control': 'no-store',
		'Content-Security-Policy': CSP,
		'X-Content-Type-Options': 'nosniff',
		'Referrer-Policy': 'no-referrer',
		...headers,
	});
	res.end(body);
}

export async function handleCustomer(
	req: IncomingMessage,
	res: ServerResponse,
	target: URL,
	sandbox: Sandbox,
): Promise<void> {
	// The form's body carries nothing we need; read it so the connection can be reused.
	req.resume();
	const method = req.method ?? 'GET';
	if (method !== 'GET' && method !== 'HEAD' && method !== 'POST') {
		send(res, 405, page('Not allowed', '<h1>Method not allowed</h1>'), { Allow: 'GET, HEAD, POST' });
		return;
	}
	const linkId = linkIdOf(target.pathname, target.search);
	const session = linkId === null ? undefined : sandbox.sessionByLinkId(linkId);
	if (!session) {
		send(res, 404, page('Link not valid', '<h1>This link is not valid</h1><p>Check the link in your message, or ask for a new one.</p>'));
		return;
	}
	const now = Date.now();
	if (method === 'POST') {
		const expired = now > session.created_at + session.validity_duration * 1000;
		// Only a waiting session can be joined; a second click (or a late one) changes nothing.
		if (session.status === 'waiting' && !expired) {
			sandbox.setStatus(session.session_id, 'vkyc_requested');
		}
		// Post/redirect/get: reloading the page afterwards does not post again.
		send(res, 303, page('Video KYC', '<h1>Starting…</h1>'), { Location: `${target.pathname}${target.search}` });
		return;
	}
	send(res, 200, customerPage(session, now));
}

/** Send Link's link_url: KwikID's customer web app, not its API. */
export const customerFeature: SandboxFeature = {
	matches: (path) => path.startsWith(CUSTOMER_PREFIX),
	handle: (req, res, target, sandbox) => handleCustomer(req, res, target, sandbox),
};
