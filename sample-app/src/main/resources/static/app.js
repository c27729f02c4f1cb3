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
