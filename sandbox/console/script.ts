/**
 * The console's script, served as /__sandbox/console/console.js. Plain browser JavaScript in a
 * string (no build step, no framework). It never uses innerHTML: session and user ids come from
 * API callers, so everything is put into the page with textContent, and the page's CSP allows
 * no inline script besides. Written without backticks and template placeholders so it can sit
 * in this template literal unchanged.
 */

export const CONSOLE_JS = `'use strict';
(function () {
	var REFRESH_MS = 1500;
	// Two lines of buttons: the way through a call, then the ways it ends.
	var ACTIONS = [
		{ name: 'join', label: 'Customer joins', status: 'vkyc_requested', line: 0 },
		{ name: 'assign', label: 'Agent assigned', status: 'agent_alloted', line: 0 },
		{ name: 'call', label: 'Call starts', status: 'kyc_request_accepted', line: 0 },
		{ name: 'approve', label: 'Approve', status: 'kyc_result_approved', line: 1 },
		{ name: 'reject', label: 'Reject\\u2026', status: 'kyc_result_rejected', reason: true, line: 1 },
		{ name: 'expire', label: 'Expire', status: 'session_expired', line: 1 },
		{ name: 'abandon', label: 'Abandon', status: 'user_abandoned', line: 1 }
	];
	// Badge colours by status; the class names come from this table, never from data.
	var TONES = {
		waiting: 'pending', vkyc_requested: 'pending',
		agent_alloted: 'active', kyc_request_accepted: 'active', kyc_request_rejected: 'bad',
		kyc_result_approved: 'ok', kyc_result_rejected: 'bad', kyc_rejected: 'bad',
		session_expired: 'muted', user_abandoned: 'muted'
	};

	var CHECKER_TEXT = {
		awaiting: 'Checker: not started',
		in_review: 'Checker: in review',
		approved: 'Checker: approved',
		rejected: 'Checker: rejected'
	};

	var rows = new Map();
	var rejecting = null;
	var checkerRejecting = null;
	var faultsFilled = false;
	var refreshing = false;

	function byId(id) { return document.getElementById(id); }

	function el(tag, className, text) {
		var node = document.createElement(tag);
		if (className) node.className = className;
		if (text !== undefined && text !== null) node.textContent = String(text);
		return node;
	}

	function showMessage(text) {
		var box = byId('message');
		box.textContent = text || '';
		box.hidden = !text;
	}

	function send(method, path, body) {
		var init = { method: method, cache: 'no-store', headers: {} };
		if (body !== undefined) {
			init.headers['Content-Type'] = 'application/json';
			init.body = JSON.stringify(body);
		}
		return fetch(path, init).then(function (response) {
			return response.json().catch(function () { return {}; }).then(function (json) {
				if (!response.ok) throw new Error(json && json.error ? json.error : 'HTTP ' + response.status);
				return json;
			});
		});
	}

	function act(method, path, body) {
		return send(method, path, body).then(function (json) {
			showMessage('');
			return refresh().then(function () { return json; });
		}).catch(function (error) {
			showMessage(error.message);
		});
	}

	function duration(ms) {
		var s = Math.max(0, Math.round(ms / 1000));
		if (s < 60) return s + ' s';
		var m = Math.floor(s / 60);
		if (m < 60) return m + ' min';
		var h = Math.floor(m / 60);
		if (h < 48) return h + ' h ' + (m % 60) + ' min';
		return Math.floor(h / 24) + ' d';
	}

	function expiry(session, now) {
		if (session.link_expires_at === null) return '\\u2014';
		var left = session.link_expires_at - now;
		return left > 0 ? 'in ' + duration(left) : 'expired ' + duration(-left) + ' ago';
	}

	function setStatus(sessionId, status, comment) {
		var body = { status: status };
		if (comment !== undefined) body.comment = comment;
		return act('POST', '/__sandbox/sessions/' + encodeURIComponent(sessionId) + '/status', body);
	}

	function checkerDecide(sessionId, decision, reason) {
		var body = { decision: decision };
		if (reason !== undefined) body.reason = reason;
		return act('POST', '/__sandbox/sessions/' + encodeURIComponent(sessionId) + '/checker', body);
	}

	function newRow(session) {
		var tr = el('tr');
		tr.setAttribute('data-session-id', session.session_id);
		var cells = {};
		['id', 'user', 'phone', 'type', 'status', 'age', 'expiry', 'actions'].forEach(function (name) {
			cells[name] = el('td', name);
			tr.appendChild(cells[name]);
		});
		cells.idText = el('code');
		cells.link = el('a', null, 'Customer page');
		cells.link.target = '_blank';
		cells.link.rel = 'noopener';
		cells.id.appendChild(cells.idText);
		cells.badge = el('span', 'badge');
		cells.feedback = el('div', 'feedback');
		cells.checker = el('div', 'checker');
		cells.status.appendChild(cells.badge);
		cells.status.appendChild(cells.feedback);
		cells.status.appendChild(cells.checker);
		var bar = el('div', 'moves');
		var lines = [el('div', 'line'), el('div', 'line')];
		bar.appendChild(lines[0]);
		bar.appendChild(lines[1]);
		cells.buttons = ACTIONS.map(function (action) {
			var button = el('button', action.name === 'reject' ? 'danger' : (action.name === 'approve' ? '' : 'quiet'), action.label);
			button.type = 'button';
			button.setAttribute('data-action', action.name);
			button.addEventListener('click', function () {
				var id = tr.getAttribute('data-session-id');
				if (action.reason) openReject(id);
				else setStatus(id, action.status);
			});
			lines[action.line].appendChild(button);
			return { action: action, button: button };
		});
		cells.actions.appendChild(bar);
		cells.bar = bar;
		cells.finished = el('span', 'finished', 'Finished: KwikID moves it no further');
		cells.actions.appendChild(cells.finished);
		// After the agent's decision, where the account has a checker step: the auditor's turn.
		cells.checkerBar = el('div', 'checker-moves');
		var checkerApprove = el('button', '', 'Checker approve');
		checkerApprove.type = 'button';
		checkerApprove.setAttribute('data-action', 'checker-approve');
		checkerApprove.addEventListener('click', function () {
			checkerDecide(tr.getAttribute('data-session-id'), 'approve');
		});
		var checkerReject = el('button', 'danger', 'Checker reject\u2026');
		checkerReject.type = 'button';
		checkerReject.setAttribute('data-action', 'checker-reject');
		checkerReject.addEventListener('click', function () {
			openCheckerReject(tr.getAttribute('data-session-id'));
		});
		cells.checkerBar.appendChild(checkerApprove);
		cells.checkerBar.appendChild(checkerReject);
		cells.actions.appendChild(cells.checkerBar);
		return { tr: tr, cells: cells };
	}

	function fillRow(row, session, now) {
		var c = row.cells;
		c.idText.textContent = session.session_id;
		if (session.customer_path) {
			c.link.href = session.customer_path;
			if (!c.link.parentNode) c.id.appendChild(c.link);
		} else if (c.link.parentNode) {
			c.link.remove();
		}
		c.user.textContent = session.user_id;
		// Long ids are cut with an ellipsis; the whole (redacted) id is in the tooltip.
		c.user.title = session.user_id;
		c.phone.textContent = session.phone;
		c.type.textContent = session.session_type;
		c.badge.textContent = session.status;
		c.badge.className = 'badge ' + (TONES[session.status] || '');
		c.feedback.textContent = session.feedback === null ? '' : 'Feedback: ' + session.feedback;
		c.age.textContent = duration(now - session.created_at);
		c.expiry.textContent = expiry(session, now);
		// Like KwikID: nothing moves a finished session, and a move to where it is does nothing.
		var checker = session.checker;
		var checkerTurn = checker !== null && checker.can_decide;
		c.checker.className = 'checker' + (checker ? ' ' + checker.state : '');
		c.checker.textContent = checker && (checker.state !== 'awaiting' || checkerTurn)
			? CHECKER_TEXT[checker.state] + (checker.feedback ? ' \u2014 ' + checker.feedback : '')
			: '';
		c.bar.hidden = session.is_final;
		c.finished.hidden = !session.is_final || checkerTurn;
		c.checkerBar.hidden = !checkerTurn;
		c.buttons.forEach(function (entry) {
			entry.button.disabled = session.status === entry.action.status;
		});
	}

	function renderSessions(state) {
		var tbody = document.querySelector('#sessions tbody');
		var seen = new Set();
		state.sessions.forEach(function (session, index) {
			seen.add(session.session_id);
			var row = rows.get(session.session_id);
			if (!row) {
				row = newRow(session);
				rows.set(session.session_id, row);
			}
			fillRow(row, session, state.now);
			// Rows are kept and moved, not rebuilt, so a button under the pointer stays put.
			if (tbody.children[index] !== row.tr) tbody.insertBefore(row.tr, tbody.children[index] || null);
		});
		rows.forEach(function (row, id) {
			if (!seen.has(id)) {
				row.tr.remove();
				rows.delete(id);
			}
		});
		byId('no-sessions').hidden = state.sessions.length > 0;
		byId('session-count').textContent = state.total_sessions > state.sessions.length
			? 'newest ' + state.sessions.length + ' of ' + state.total_sessions
			: state.total_sessions + (state.total_sessions === 1 ? ' session' : ' sessions');
	}

	function percent(share) { return Math.round(share * 1000) / 10; }

	function describeFaults(f) {
		var parts = [];
		if (f.latencyMs > 0) parts.push('latency ' + f.latencyMs + ' ms' + (f.jitterMs > 0 ? ' (+ up to ' + f.jitterMs + ')' : ''));
		var r = f.random;
		if (r) {
			var on = r.endpoint ? ' of ' + r.endpoint + ' calls' : ' of calls';
			if (r.share429 > 0) parts.push('429 on ' + percent(r.share429) + '%' + on);
			if (r.share5xx > 0) parts.push('5xx on ' + percent(r.share5xx) + '%' + on);
			if (r.shareDrop > 0) parts.push(percent(r.shareDrop) + '%' + on + ' dropped');
		}
		if (f.burst429 && f.burst429.count > 0) parts.push('next ' + f.burst429.count + ' calls 429');
		if (f.fail5xx && f.fail5xx.count > 0) parts.push('next ' + f.fail5xx.count + ' calls 5xx');
		if (f.drop && f.drop.count > 0) parts.push('next ' + f.drop.count + ' calls dropped');
		if (f.rateLimit) parts.push('rate limit ' + f.rateLimit.capacity + ', ' + f.rateLimit.refillPerSec + '/s');
		if (f.expireTokensEvery > 0) parts.push('tokens expire every ' + f.expireTokensEvery + ' calls');
		return parts;
	}

	function renderFaults(faults) {
		var parts = describeFaults(faults);
		var line = byId('faults-active');
		line.textContent = 'Active faults: ' + (parts.length ? parts.join('; ') : 'none');
		line.className = parts.length ? 'on' : '';
		if (faultsFilled) return;
		// Filled once, and again after Apply or Clear: a refresh must not overwrite what is being typed.
		faultsFilled = true;
		var r = faults.random;
		byId('fault-latency').value = faults.latencyMs;
		byId('fault-429').value = r ? percent(r.share429) : 0;
		byId('fault-5xx').value = r ? percent(r.share5xx) : 0;
		byId('fault-drop').value = r ? percent(r.shareDrop) : 0;
		byId('fault-expire-every').value = faults.expireTokensEvery;
	}

	function statusTone(status) {
		if (status === 'dropped' || status === 'no answer' || status >= 500) return 'bad';
		if (status >= 400) return 'warn';
		return 'ok';
	}

	function renderRequests(requests) {
		var tbody = document.querySelector('#requests tbody');
		var fresh = requests.map(function (r) {
			var tr = el('tr');
			tr.appendChild(el('td', 'time', r.at.slice(11, 23)));
			tr.appendChild(el('td', 'method', r.method));
			var path = el('td', 'path', r.path);
			if (r.user_id !== undefined) path.title = 'user_id ' + r.user_id;
			if (r.webhook !== undefined) {
				tr.className = 'webhook';
				path.textContent = '\u2197 ' + r.path;
				path.appendChild(el('span', 'outgoing', r.webhook));
			}
			tr.appendChild(path);
			tr.appendChild(el('td', 'status ' + statusTone(r.status), r.status));
			tr.appendChild(el('td', 'ms', r.ms));
			return tr;
		});
		tbody.replaceChildren.apply(tbody, fresh);
	}

	function renderWebhooks(webhooks) {
		var tbody = document.querySelector('#webhooks tbody');
		var fresh = webhooks.map(function (w) {
			var tr = el('tr');
			tr.setAttribute('data-webhook-id', w.id);
			tr.appendChild(el('td', 'url', w.url));
			tr.appendChild(el('td', 'events', w.events.join(', ')));
			tr.appendChild(el('td', 'headers', w.headers.length ? w.headers.join(', ') : '\u2014'));
			tr.appendChild(el('td', 'shape', w.shape));
			var cell = el('td');
			var remove = el('button', 'quiet danger', 'Remove');
			remove.type = 'button';
			remove.setAttribute('data-action', 'remove-webhook');
			remove.addEventListener('click', function () {
				act('DELETE', '/__sandbox/webhooks/' + encodeURIComponent(w.id));
			});
			cell.appendChild(remove);
			tr.appendChild(cell);
			return tr;
		});
		tbody.replaceChildren.apply(tbody, fresh);
		byId('no-webhooks').hidden = webhooks.length > 0;
	}

	function addWebhook(event) {
		event.preventDefault();
		var events = Array.prototype.slice.call(document.querySelectorAll('input[name="webhook-event"]:checked'))
			.map(function (box) { return box.value; });
		var header = byId('webhook-header').value.trim();
		var body = { url: byId('webhook-url').value.trim(), events: events, shape: byId('webhook-shape').value };
		if (header) body.headers = [header];
		act('POST', '/__sandbox/webhooks', body).then(function (json) {
			if (json) {
				byId('webhook-url').value = '';
				byId('webhook-header').value = '';
			}
		});
	}

	function refresh() {
		if (refreshing) return Promise.resolve();
		refreshing = true;
		return send('GET', '/__sandbox/console/state').then(function (state) {
			byId('base-url').textContent = state.url;
			byId('username').textContent = state.username;
			renderSessions(state);
			renderFaults(state.faults);
			renderRequests(state.requests);
			renderShape(state.shape);
			renderWebhooks(state.webhooks);
			byId('updated').textContent = 'Updated ' + new Date(state.now).toLocaleTimeString();
		}).catch(function (error) {
			byId('updated').textContent = 'Sandbox not reachable (' + error.message + ')';
		}).then(function () {
			refreshing = false;
		});
	}

	function renderShape(shape) {
		var select = byId('shape');
		var box = byId('checker-step');
		// Not while someone is choosing: a refresh must not undo a click.
		if (document.activeElement !== select) select.value = shape.shape;
		if (document.activeElement !== box) box.checked = shape.checkerStep;
	}

	function openCheckerReject(sessionId) {
		checkerRejecting = sessionId;
		byId('checker-session').textContent = sessionId;
		byId('checker-reason').value = '';
		var dialog = byId('checker-dialog');
		dialog.returnValue = '';
		dialog.showModal();
	}

	function openReject(sessionId) {
		rejecting = sessionId;
		byId('reject-session').textContent = sessionId;
		byId('reject-reason').value = '';
		var dialog = byId('reject-dialog');
		// Escape closes the dialog without touching returnValue: clear the last answer first.
		dialog.returnValue = '';
		dialog.showModal();
	}

	function share(id) {
		return Number(byId(id).value || 0) / 100;
	}

	function applyFaults(event) {
		event.preventDefault();
		var s429 = share('fault-429');
		var s5xx = share('fault-5xx');
		var sDrop = share('fault-drop');
		var body = {
			latencyMs: Number(byId('fault-latency').value || 0),
			expireTokensEvery: Number(byId('fault-expire-every').value || 0),
			random: s429 + s5xx + sDrop > 0
				? { share429: s429, share5xx: s5xx, shareDrop: sDrop, seed: Math.floor(Math.random() * 1e9) }
				: null
		};
		faultsFilled = false;
		act('POST', '/__sandbox/faults', body);
	}

	document.addEventListener('DOMContentLoaded', function () {
		byId('faults-form').addEventListener('submit', applyFaults);
		byId('clear-faults').addEventListener('click', function () {
			faultsFilled = false;
			act('DELETE', '/__sandbox/faults');
		});
		byId('expire-tokens').addEventListener('click', function () {
			act('POST', '/__sandbox/tokens/expire').then(function (json) {
				if (json) showMessage('Every token issued so far is now invalid: the next API call logs in again.');
			});
		});
		byId('add-session').addEventListener('click', function () {
			act('POST', '/__sandbox/sessions', {});
		});
		byId('reset-sandbox').addEventListener('click', function () {
			if (!window.confirm('Delete every session, clear faults and the request log?')) return;
			faultsFilled = false;
			act('POST', '/__sandbox/reset');
		});
		var dialog = byId('reject-dialog');
		dialog.addEventListener('close', function () {
			var id = rejecting;
			rejecting = null;
			if (dialog.returnValue === 'reject' && id !== null) {
				setStatus(id, 'kyc_result_rejected', byId('reject-reason').value.trim());
			}
		});
		var checkerDialog = byId('checker-dialog');
		checkerDialog.addEventListener('close', function () {
			var id = checkerRejecting;
			checkerRejecting = null;
			if (checkerDialog.returnValue === 'reject' && id !== null) {
				checkerDecide(id, 'reject', byId('checker-reason').value.trim());
			}
		});
		byId('shape').addEventListener('change', function () {
			act('POST', '/__sandbox/shape', { shape: byId('shape').value });
		});
		byId('checker-step').addEventListener('change', function () {
			act('POST', '/__sandbox/shape', { checkerStep: byId('checker-step').checked });
		});
		byId('shape-form').addEventListener('submit', function (event) { event.preventDefault(); });
		byId('webhook-form').addEventListener('submit', addWebhook);
		refresh();
		setInterval(refresh, REFRESH_MS);
	});
})();
`;
