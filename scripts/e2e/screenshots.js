// Screenshots of workflow canvases in a running n8n 2.x editor, cropped to the nodes, for
// docs/examples/. Driven by screenshots.sh. Needs playwright-core (the project's devDependency, or
// KWIKID_PLAYWRIGHT_DIR naming a folder where it is installed) and a Chromium.
//
//   node screenshots.js <n8n url> <out dir> <workflow id>=<picture name> ...
const fs = require('fs');
const os = require('os');
const path = require('path');

const pwDir = process.env.KWIKID_PLAYWRIGHT_DIR;
const { chromium } = require(pwDir ? path.join(pwDir, 'node_modules', 'playwright-core') : 'playwright-core');

const [base, outDir, ...pairs] = process.argv.slice(2);
const owner = { email: 'owner@example.com', firstName: 'Demo', lastName: 'Owner', password: 'Passw0rd-Examples' };

// The editor's own buttons floating over the canvas, hidden in the pictures.
const HIDE = [
	'canvas-controls', 'node-creator-plus-button', 'command-bar-button', 'add-sticky-button',
	'toggle-focus-panel-button', 'instance-ai-canvas-action-button', 'radio-button-workflow',
	'radio-button-executions', 'radio-button-evaluation',
].map((id) => `[data-test-id="${id}"]`).join(', ');

async function main() {
	const context = await chromium.launchPersistentContext(fs.mkdtempSync(path.join(os.tmpdir(), 'kwikid-shots-')), {
		executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
		headless: true,
		args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
		viewport: { width: 1500, height: 860 },
	});
	const page = context.pages()[0] ?? (await context.newPage());
	// A fresh n8n has no owner: set one up (400 when there is one already), then log in.
	await page.request.post(`${base}/rest/owner/setup`, { data: owner });
	const login = await page.request.post(`${base}/rest/login`, { data: { emailOrLdapLoginId: owner.email, password: owner.password } });
	if (!login.ok()) throw new Error(`login failed: HTTP ${login.status()}`);
	for (const pair of pairs) {
		const [id, name] = pair.split('=');
		await page.goto(`${base}/workflow/${id}`, { waitUntil: 'domcontentloaded' });
		await page.waitForSelector('[data-test-id="canvas-node"]', { timeout: 120000 });
		await page.waitForTimeout(2500);
		for (let i = 0; i < 3; i++) await page.keyboard.press('Escape');
		await page.locator('.vue-flow__pane').first().click({ position: { x: 5, y: 5 } }).catch(() => {});
		// Zoom to fit ("1"), then one step out ("-") so nothing touches the edge.
		await page.keyboard.press('1');
		await page.waitForTimeout(1500);
		await page.addStyleTag({ content: `${HIDE} { visibility: hidden !important; }` });
		await page.evaluate(() => {
			// The "Execute workflow" button and its dropdown: the largest small ancestor.
			let top = document.querySelector('[data-test-id="execute-workflow-button"]');
			for (let e = top; e && e.getBoundingClientRect().width < 400; e = e.parentElement) top = e;
			if (top) top.style.visibility = 'hidden';
		});
		await page.keyboard.press('-');
		await page.waitForTimeout(800);
		await page.mouse.move(1, 1);
		await page.waitForTimeout(500);
		const clip = await page.evaluate(() => {
			const c = document.querySelector('[data-test-id="canvas"]').getBoundingClientRect();
			const rects = [...document.querySelectorAll('.vue-flow__node, .vue-flow__node *, .vue-flow__edge path')]
				.filter((e) => !e.closest('[class*="toolbar"], [class*="Toolbar"], button'))
				.map((e) => e.getBoundingClientRect())
				.filter((r) => r.width > 0 && r.height > 0 && r.width < 3000);
			const pad = 28;
			const x0 = Math.max(c.left, Math.min(...rects.map((r) => r.left)) - pad);
			const y0 = Math.max(c.top, Math.min(...rects.map((r) => r.top)) - pad);
			const x1 = Math.min(c.right, Math.max(...rects.map((r) => r.right)) + pad);
			const y1 = Math.min(c.bottom, Math.max(...rects.map((r) => r.bottom)) + pad);
			return { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
		});
		const file = path.join(outDir, `${name}.png`);
		await page.screenshot({ path: file, clip });
		console.log(`${file}: ${Math.round(clip.width)}x${Math.round(clip.height)}, ${fs.statSync(file).size} bytes`);
	}
	await context.close();
}

main().catch((error) => {
	console.error(error);
	process.exit(1);
});
