/**
 * The console's HTML and CSS, as strings: tsc compiles them into .dev/ with the rest of the
 * sandbox, so `npm run sandbox` and the tests serve the same bytes with no files to copy.
 * The HTML is static; the script (script.ts) fills it from /__sandbox/console/state with
 * textContent only.
 */

export const CONSOLE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>KwikID sandbox console</title>
<link rel="icon" href="/__sandbox/console/favicon.svg">
<link rel="stylesheet" href="/__sandbox/console/console.css">
<script src="/__sandbox/console/console.js" defer></script>
</head>
<body>
<header>
	<h1>KwikID <span>sandbox console</span></h1>
	<p id="credential">Base URL <code id="base-url">…</code> · Username <code id="username">…</code></p>
	<form id="shape-form" aria-label="Answer shape">
		<label>Answers <select id="shape">
			<option value="live">live install shape</option>
			<option value="reference">published reference</option>
		</select></label>
		<label><input type="checkbox" id="checker-step"> Checker step</label>
	</form>
	<p id="updated" role="status">Connecting…</p>
</header>
<p id="message" role="alert" hidden></p>
<main>
<section id="sessions-panel" aria-labelledby="sessions-title">
	<div class="panel-head">
		<h2 id="sessions-title">Sessions</h2>
		<p id="session-count"></p>
		<button type="button" id="add-session" class="quiet">Add a test session</button>
		<button type="button" id="reset-sandbox" class="quiet danger">Reset sandbox</button>
	</div>
	<table id="sessions">
		<thead>
			<tr><th>Session ID</th><th>User ID</th><th>Phone</th><th>Type</th><th>Status</th><th>Age</th><th>Link expiry</th><th>Move it on</th></tr>
		</thead>
		<tbody></tbody>
	</table>
	<p id="no-sessions">No sessions yet. Send a link from n8n (Send Link) and it shows up here.</p>
</section>
<div class="side">
<section id="faults-panel" aria-labelledby="faults-title">
	<h2 id="faults-title">Faults</h2>
	<form id="faults-form">
		<label>Latency (ms) <input type="number" id="fault-latency" min="0" step="50" value="0"></label>
		<label>429 share (%) <input type="number" id="fault-429" min="0" max="100" step="1" value="0"></label>
		<label>5xx share (%) <input type="number" id="fault-5xx" min="0" max="100" step="1" value="0"></label>
		<label>Dropped connections (%) <input type="number" id="fault-drop" min="0" max="100" step="1" value="0"></label>
		<label>Expire tokens every N calls (0: never) <input type="number" id="fault-expire-every" min="0" step="1" value="0"></label>
		<div class="buttons">
			<button type="submit" id="apply-faults">Apply</button>
			<button type="button" id="clear-faults" class="quiet">Clear faults</button>
			<button type="button" id="expire-tokens" class="quiet">Expire tokens now</button>
		</div>
	</form>
	<p id="faults-active">Active faults: none</p>
</section>
<section id="webhooks-panel" aria-labelledby="webhooks-title">
	<h2 id="webhooks-title">Webhooks <span class="hint">posted when the agent or the checker decides</span></h2>
	<form id="webhook-form">
		<label>URL <input type="url" id="webhook-url" required placeholder="http://localhost:5678/webhook/…"></label>
		<fieldset>
			<legend>Events</legend>
			<label><input type="checkbox" name="webhook-event" value="Maker Approved" checked> Maker Approved</label>
			<label><input type="checkbox" name="webhook-event" value="Maker Rejected" checked> Maker Rejected</label>
			<label><input type="checkbox" name="webhook-event" value="Checker Approved" checked> Checker Approved</label>
			<label><input type="checkbox" name="webhook-event" value="Checker Rejected" checked> Checker Rejected</label>
		</fieldset>
		<label>Header <input type="text" id="webhook-header" placeholder="Authorization: Bearer …" autocomplete="off"></label>
		<label>Payload <select id="webhook-shape">
			<option value="flat">flat JSON</option>
			<option value="nested">nested JSON</option>
			<option value="dashboard">dashboard JSON</option>
			<option value="form">form data</option>
			<option value="text">text/plain JSON</option>
			<option value="rotate">rotate through all</option>
		</select></label>
		<div class="buttons"><button type="submit" id="add-webhook">Add webhook</button></div>
	</form>
	<table id="webhooks">
		<thead><tr><th>URL</th><th>Events</th><th>Headers</th><th>Payload</th><th></th></tr></thead>
		<tbody></tbody>
	</table>
	<p id="no-webhooks">No webhooks. Add your n8n KwikID Webhook Trigger's URL and its secret header.</p>
</section>
<section id="log-panel" aria-labelledby="log-title">
	<h2 id="log-title">Requests <span class="hint">last 100, no bodies; ↗ webhooks sent</span></h2>
	<table id="requests">
		<thead><tr><th>Time</th><th>Method</th><th>Path</th><th>Status</th><th>ms</th></tr></thead>
		<tbody></tbody>
	</table>
</section>
</div>
</main>
<dialog id="reject-dialog">
	<form method="dialog" id="reject-form">
		<h2>Reject session</h2>
		<p>Session <code id="reject-session"></code></p>
		<label>Reason (becomes the comment in <code>feedback</code>)
			<input type="text" id="reject-reason" maxlength="500" required placeholder="e.g. Face does not match the PAN photo">
		</label>
		<div class="buttons">
			<button type="submit" value="reject" id="reject-confirm" class="danger">Reject</button>
			<button type="submit" value="cancel" formnovalidate class="quiet">Cancel</button>
		</div>
	</form>
</dialog>
<dialog id="checker-dialog">
	<form method="dialog" id="checker-form">
		<h2>Checker rejects the session</h2>
		<p>Session <code id="checker-session"></code> · the agent's status stays as it is</p>
		<label>Reason (becomes <code>auditor_feedback</code>)
			<input type="text" id="checker-reason" maxlength="500" required placeholder="e.g. Audio not available">
		</label>
		<div class="buttons">
			<button type="submit" value="reject" id="checker-confirm" class="danger">Checker reject</button>
			<button type="submit" value="cancel" formnovalidate class="quiet">Cancel</button>
		</div>
	</form>
</dialog>
</body>
</html>
`;

export const CONSOLE_CSS = `
:root { --ink: #1d2733; --muted: #6b7785; --line: #e3e8ef; --blue: #2156c9; --bg: #f4f6fa; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, sans-serif; color: var(--ink); background: var(--bg); }
header { display: flex; flex-wrap: wrap; align-items: baseline; gap: 0.5rem 1.5rem; padding: 0.75rem 1.25rem;
	background: #fff; border-bottom: 1px solid var(--line); }
header h1 { font-size: 1.15rem; margin: 0; color: var(--blue); }
header h1 span { color: var(--muted); font-weight: 400; }
header p { margin: 0; color: var(--muted); }
#updated { margin-left: auto; }
#shape-form { display: flex; gap: 0.75rem; align-items: center; color: var(--muted); }
#shape-form select { font: inherit; font-size: 0.85rem; }
.checker { font-size: 0.8rem; margin-top: 0.15rem; }
.checker.approved { color: #17663a; }
.checker.rejected { color: #9b1c1c; font-weight: 600; }
.checker.in_review, .checker.awaiting { color: #7a5600; }
.checker-moves { display: flex; gap: 0.25rem; margin-top: 0.25rem; }
.checker-moves[hidden] { display: none; }
#message { margin: 0.75rem 1.25rem 0; padding: 0.5rem 0.75rem; border-radius: 6px; background: #fdecec; color: #9b1c1c; }
main { display: grid; gap: 1rem; padding: 1rem 1.25rem; }
section { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 0.75rem 1rem; }
.side { display: grid; grid-template-columns: 25rem minmax(0, 1fr); gap: 1rem; align-items: start; }
#log-panel { grid-column: 2; grid-row: 1 / span 2; }
@media (max-width: 900px) { .side { grid-template-columns: minmax(0, 1fr); } #log-panel { grid-column: auto; grid-row: auto; } }
h2 { font-size: 1rem; margin: 0 0 0.5rem; }
.hint { color: var(--muted); font-weight: 400; font-size: 0.85rem; }
.panel-head { display: flex; align-items: baseline; gap: 0.75rem; }
.panel-head p { margin: 0; color: var(--muted); flex: 1; }
table { width: 100%; border-collapse: collapse; }
th { text-align: left; font-weight: 600; color: var(--muted); font-size: 0.8rem; border-bottom: 1px solid var(--line); padding: 0.3rem 0.4rem; }
td { border-bottom: 1px solid var(--line); padding: 0.35rem 0.4rem; vertical-align: top; }
td.id code { font-size: 0.74rem; white-space: nowrap; }
td.status { max-width: 12rem; }
#sessions-panel { overflow-x: auto; }
td.id a { display: block; font-size: 0.8rem; }
td.age, td.expiry, td.phone { white-space: nowrap; }
td.user { white-space: nowrap; max-width: 12rem; overflow: hidden; text-overflow: ellipsis; }
.feedback { color: var(--muted); font-size: 0.8rem; }
.badge { display: inline-block; padding: 0.05rem 0.45rem; border-radius: 999px; font-size: 0.8rem; font-weight: 600; background: #e8ecf2; }
.badge.pending { background: #fff4d6; color: #7a5600; }
.badge.active { background: #e2ecff; color: #1d4aa8; }
.badge.ok { background: #dcf5e3; color: #17663a; }
.badge.bad { background: #fde2e2; color: #9b1c1c; }
.badge.muted { background: #eceef1; color: #5b6573; }
.moves { display: grid; gap: 0.25rem; }
.moves .line { display: flex; gap: 0.25rem; }
.moves[hidden], .finished[hidden] { display: none; }
.finished { color: var(--muted); font-size: 0.8rem; }
button { font: inherit; font-size: 0.8rem; border-radius: 6px; border: 1px solid var(--blue); background: var(--blue); color: #fff;
	padding: 0.2rem 0.45rem; cursor: pointer; white-space: nowrap; }
button.quiet { background: #fff; color: var(--blue); }
button.danger { border-color: #b42323; background: #b42323; color: #fff; }
button.quiet.danger { background: #fff; color: #b42323; }
button:disabled { opacity: 0.35; cursor: default; }
#faults-form { display: grid; gap: 0.4rem; }
#faults-form label { display: flex; justify-content: space-between; align-items: center; gap: 0.5rem; }
#faults-form input { width: 6rem; font: inherit; padding: 0.15rem 0.3rem; }
.buttons { display: flex; flex-wrap: wrap; gap: 0.4rem; margin-top: 0.25rem; }
#faults-active { margin: 0.6rem 0 0; color: var(--muted); }
#faults-active.on { color: #9b1c1c; font-weight: 600; }
#webhook-form { display: grid; gap: 0.4rem; }
#webhook-form label { display: flex; justify-content: space-between; align-items: center; gap: 0.5rem; }
#webhook-form input[type="url"], #webhook-form input[type="text"] { flex: 1; font: inherit; padding: 0.15rem 0.3rem; }
#webhook-form fieldset { border: 1px solid var(--line); border-radius: 6px; display: grid; grid-template-columns: 1fr 1fr; gap: 0.2rem; }
#webhook-form fieldset label { justify-content: flex-start; }
#webhooks { margin-top: 0.5rem; }
#webhooks td { font-size: 0.8rem; overflow-wrap: anywhere; }
#no-webhooks { color: var(--muted); }
#requests td .outgoing { display: block; color: var(--muted); font-family: system-ui, sans-serif; }
#requests td { font-size: 0.8rem; white-space: nowrap; }
#requests td.path { white-space: normal; overflow-wrap: anywhere; font-family: ui-monospace, monospace; font-size: 0.75rem; }
#requests td.status.ok { color: #17663a; }
#requests td.status.warn { color: #7a5600; font-weight: 600; }
#requests td.status.bad { color: #9b1c1c; font-weight: 600; }
#no-sessions { color: var(--muted); }
dialog { border: 1px solid var(--line); border-radius: 10px; padding: 1rem 1.25rem; width: 28rem; }
dialog label { display: grid; gap: 0.3rem; }
dialog input { font: inherit; padding: 0.3rem 0.4rem; }
code { font-family: ui-monospace, monospace; }
`;
