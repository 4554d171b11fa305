/**
 * Launches Debian's Chromium (installed by scripts/install-chromium.sh) through playwright-core,
 * for the console's browser test and its README screenshot. Never Playwright's own browser
 * download: it is not reachable from here, and CI installs Debian's package instead.
 */
import { existsSync } from 'node:fs';

import { chromium, type Browser } from 'playwright-core';

/** Debian's Chromium, or the browser KWIKID_CHROMIUM names (see scripts/install-chromium.sh). */
export const CHROMIUM_PATH = process.env.KWIKID_CHROMIUM || '/usr/bin/chromium';

export interface LaunchedBrowser {
	browser: Browser;
	/** Closes the browser; Playwright removes its temporary profile. */
	close(): Promise<void>;
}

export async function launchChromium(): Promise<LaunchedBrowser> {
	if (!existsSync(CHROMIUM_PATH)) {
		throw new Error(`${CHROMIUM_PATH} is missing: run "bash scripts/install-chromium.sh" (npm test runs it first)`);
	}
	const browser = await chromium.launch({
		executablePath: CHROMIUM_PATH,
		// These keep Chromium off the network it would otherwise try (Google's update, sync and
		// field-trial hosts), which this machine refuses. The fresh profile: launch() gives every
		// browser a new temporary --user-data-dir of its own, removed on close (and refuses one here).
		args: [
			'--headless',
			'--no-sandbox',
			'--disable-gpu',
			'--disable-quic',
			'--no-first-run',
			'--disable-background-networking',
			'--disable-component-update',
			'--disable-sync',
		],
	});
	return {
		browser,
		close: async () => await browser.close(),
	};
}
