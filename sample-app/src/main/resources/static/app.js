// PoolWarden live view: polls the application's own actuator endpoint and draws it.
(() => {
	'use strict';
	const WARNING = 0.80;
	const CRITICAL = 0.95;
	const HISTORY = 120;
	const samples = [];
	let peak = 0;

	const byId = (id) => document.getElementById(id);

	function draw() {
		const canvas = byId('chart');
		const g = canvas.getContext('2d');
		const w = canvas.width;
		const h = canvas.height;
		const y = (ratio) => h - 10 - ratio * (h - 20);
		g.clearRect(0, 0, w, h);
		[[WARNING, '#d98e04', '80 %'], [CRITICAL, '#d93025', '95 %']].forEach(([ratio, color, label]) => {
			g.strokeStyle = color;
			g.setLineDash([6, 4]);
			g.beginPath();
			g.moveTo(0, y(ratio));
			g.lineTo(w, y(ratio));
			g.stroke();
			g.setLineDash([]);
			g.fillStyle = color;
			g.fillText(label, 4, y(ratio) - 4);
		});
		g.strokeStyle = '#1a73e8';
		g.lineWidth = 2;
		g.beginPath();
		samples.forEach((ratio, i) => {
			const x = (w / (HISTORY - 1)) * i;
			if (i === 0) {
				g.moveTo(x, y(ratio));
			}
			else {
				g.lineTo(x, y(ratio));
			}
		});
		g.stroke();
		g.lineWidth = 1;
	}

	function render(name, pool) {
		const state = pool.state;
		samples.push(state.utilization);
		if (samples.length > HISTORY) {
			samples.shift();
		}
		peak = Math.max(peak, state.utilization);
		byId('pool-name').textContent = name;
		const level = byId('level');
		level.textContent = state.level;
		level.className = 'level-' + state.level;
		byId('utilization').textContent = Math.round(state.utilization * 100) + '%';
		byId('peak').textContent = Math.round(peak * 100) + '%';
		byId('counts').textContent = state.active + ' / ' + state.max;
		byId('waiting').textContent = state.waiting;
		renderDatabase(pool.database);
		renderStuck(pool.stuck);
		renderAdvice(pool.advice);
		const holders = byId('holders');
		holders.replaceChildren();
		if (pool.byCallSite.length === 0) {
			const row = holders.insertRow();
			const cell = row.insertCell();
			cell.className = 'empty';
			cell.textContent = 'no connection is held';
		}
		pool.byCallSite.forEach((line) => {
			holders.insertRow().insertCell().textContent = line;
		});
		draw();
	}

	// How health knew whether the database answers, and what knowing has cost it.
	function renderDatabase(database) {
		const cell = byId('database');
		if (!database) {
			cell.textContent = 'not asked';
			return;
		}
		cell.textContent = database.state + ' · ' + database.by + ', ' + (database.ageMillis / 1000).toFixed(1) + ' s ago';
		cell.className = (database.state === 'UP') ? 'level-normal' : 'level-critical';
		byId('probes').textContent = database.newConnections + ' new, ' + database.idleConnections + ' idle validated';
	}

	function renderStuck(stuck) {
		const cell = byId('stuck');
		const detail = byId('stuck-detail');
		if (!stuck) {
			cell.textContent = 'no';
			cell.className = 'level-normal';
			detail.hidden = true;
			return;
		}
		cell.textContent = 'yes, for ' + stuck.noProgressFor;
		cell.className = 'level-critical';
		detail.hidden = false;
		detail.textContent = 'No borrow has completed for ' + stuck.noProgressFor + ' while callers wait'
			+ (stuck.oldestWaiter ? ' (longest: ' + stuck.oldestWaiter + ', ' + (stuck.oldestWaiterMillis / 1000).toFixed(0) + ' s)' : '')
			+ '. Held: ' + stuck.holders.join('; ');
	}

	// What size the pool should have, from the demand of the advice window.
	function renderAdvice(advice) {
		const cell = byId('advice');
		const detail = byId('advice-detail');
		if (!advice) {
			cell.textContent = 'off';
			detail.textContent = '';
			return;
		}
		cell.textContent = advice.verdict + ' · ' + advice.recommendedMaximumPoolSize + ' (' + advice.confidence + ')';
		cell.className = (advice.verdict === 'keep' || advice.verdict === 'not-enough-data') ? 'level-normal'
			: (advice.verdict === 'fix-code' || advice.verdict === 'database-bound') ? 'level-critical' : 'level-warning';
		detail.textContent = advice.message;
	}

	async function poll() {
		try {
			const response = await fetch('actuator/poolwarden');
			const report = await response.json();
			const [name, pool] = Object.entries(report.pools)[0];
			render(name, pool);
		}
		catch (error) {
			byId('status').textContent = 'cannot read actuator/poolwarden: ' + error;
		}
	}

	function showResult(result) {
		const table = byId('result');
		table.replaceChildren();
		const sides = result.sides;
		const keys = Object.keys(sides[0]);
		keys.forEach((key) => {
			const row = table.insertRow();
			const head = document.createElement('th');
			head.textContent = key;
			row.appendChild(head);
			sides.forEach((side) => {
				row.insertCell().textContent = String(side[key]);
			});
		});
	}

	document.querySelectorAll('button[data-incident]').forEach((button) => {
		button.addEventListener('click', async () => {
			const incident = button.dataset.incident;
			document.querySelectorAll('button').forEach((each) => each.disabled = true);
			byId('status').textContent = 'replaying incident ' + incident + ' …';
			try {
				const response = await fetch('incidents/' + incident, { method: 'POST' });
				const result = await response.json();
				showResult(result);
				byId('status').textContent = 'incident ' + incident + ' replayed';
			}
			catch (error) {
				byId('status').textContent = 'replay failed: ' + error;
			}
			finally {
				document.querySelectorAll('button').forEach((each) => each.disabled = false);
			}
		});
	});

	poll();
	setInterval(poll, 500);
})();
