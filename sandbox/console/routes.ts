/**
 * The console's static files under /__sandbox/console. Served by the control endpoint, so they
 * get its loopback-only check; the page's data and actions are control routes too.
 */
import type { ServerResponse } from 'node:http';

import { CONSOLE_CSS, CONSOLE_HTML } from './page';
import { CONSOLE_JS } from './script';

export const CONSOLE_PATH = '/console';

const FAVICON =
	'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect width="16" height="16" rx="3" fill="#2156c9"/>' +
	'<path d="M5 4v8M5 8l5-4M6.5 7l4 5" stroke="#fff" stroke-width="1.8" fill="none"/></svg>';

const ASSETS: Record<string, { type: string; body: string }> = {
	[CONSOLE_PATH]: { type: 'text/html; charset=utf-8', body: CONSOLE_HTML },
	[`${CONSOLE_PATH}/console.css`]: { type: 'text/css; charset=utf-8', body: CONSOLE_CSS },
	[`${CONSOLE_PATH}/console.js`]: { type: 'text/javascript; charset=utf-8', body: CONSOLE_JS },
	// Served here so the browser's favicon request neither 404s into the API's counters nor goes elsewhere.
	[`${CONSOLE_PATH}/favicon.svg`]: { type: 'image/svg+xml', body: FAVICON },
};

/**
 * Only this origin's own files and calls: a user id that slipped past textContent could still
 * run no script, load nothing and send nothing elsewhere.
 */
const CSP =
	"default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; " +
	"form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/** Writes the asset for a GET/HEAD of `subPath` (below /__sandbox); false if there is none. */
export function serveConsoleAsset(method: string, subPath: string, res: ServerResponse): boolean {
	const asset = Object.prototype.hasOwnProperty.call(ASSETS, subPath) ? ASSETS[subPath] : undefined;
	if (!asset || (method !== 'GET' && method !== 'HEAD')) return false;
	const body = Buffer.from(asset.body);
	res.writeHead(200, {
		'Content-Type': asset.type,
		'Content-Length': String(body.length),
		'Cache-Control': 'no-store',
		'Content-Security-Policy': CSP,
		'X-Content-Type-Options': 'nosniff',
		'Referrer-Policy': 'no-referrer',
	});
	res.end(method === 'HEAD' ? undefined : body);
	return true;
}
