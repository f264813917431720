// The /status page in the browser: draws the charts (uPlot, served by the admin listener) and the tables from
// the JSON the page carries, then keeps them current from /api/status every two seconds. Plain JavaScript
// without a build step; every text comes from the messages block (the gateway's language), every value is
// set as text (never as HTML).
(() => {
  const POLL_MS = 2000;
  const byId = (id) => document.getElementById(id);
  const messages = JSON.parse(byId('status-messages').textContent);
  let data = JSON.parse(byId('status-data').textContent);
  const lang = data.language || 'en';

  /** A message with its `{placeholders}` filled; a parameter may itself be a message (`{ message: key }`). */
  function t(key, params) {
    const template = messages[key] ?? key;
    return template.replace(/\{(\w+)\}/g, (whole, name) => {
      if (!params || !Object.hasOwn(params, name)) return whole;
      const value = params[name];
      if (value !== null && typeof value === 'object' && 'message' in value) return t(value.message);
      return typeof value === 'number' ? integer.format(value) : String(value);
    });
  }

  const integer = new Intl.NumberFormat(lang, { maximumFractionDigits: 0 });
  const decimal = new Intl.NumberFormat(lang, { maximumFractionDigits: 1 });
  const UNITS = ['B', 'KB', 'MB', 'GB', 'TB'];
  function bytes(value) {
    let amount = value;
    let unit = 0;
    while (amount >= 1000 && unit < UNITS.length - 1) {
      amount /= 1000;
      unit++;
    }
    return `${unit === 0 ? integer.format(amount) : decimal.format(amount)} ${UNITS[unit]}`;
  }
  const clock = (ms) => new Date(ms).toLocaleTimeString(lang);
  const dateTime = (ms) => new Date(ms).toLocaleString(lang);

  // ---- history: the columns of /api/history, extended by each poll, at most `capacity` samples ----
  const SERIES = [
    'activeClientConnections',
    'connectedClients',
    'errors',
    'rejections',
    'tunnelsVerified',
    'tunnelsRefused',
    'tunnelsFailed',
    'tunnelsTimeout',
    'bytesUpstream',
    'bytesDownstream',
  ];
  const history = { capacity: data.history.capacity, t: [], series: {} };
  for (const name of SERIES) history.series[name] = [];

  function addHistory(update) {
    const last = history.t.length > 0 ? history.t[history.t.length - 1] : Number.NEGATIVE_INFINITY;
    update.t.forEach((time, index) => {
      if (time <= last) return;
      history.t.push(time);
      for (const name of SERIES) history.series[name].push(update.series[name][index]);
    });
    const excess = history.t.length - history.capacity;
    if (excess > 0) {
      history.t.splice(0, excess);
      for (const name of SERIES) history.series[name].splice(0, excess);
    }
  }

  // ---- charts ----
  const charts = {};
  const css = (name) => getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  const CHARTS = {
    activeClientConnections: { series: [['activeClientConnections', 'series.value', '--accent']] },
    connectedClients: { series: [['connectedClients', 'series.value', '--accent']] },
    errors: { series: [['errors', 'series.value', '--bad']] },
    rejections: { series: [['rejections', 'series.value', '--warn']] },
    tunnels: {
      series: [
        ['tunnelsVerified', 'series.verified', '--good'],
        ['tunnelsRefused', 'series.refused', '--warn'],
        ['tunnelsFailed', 'series.failed', '--bad'],
        ['tunnelsTimeout', 'series.timeout', '--muted'],
      ],
    },
    bytes: {
      series: [
        ['bytesUpstream', 'series.upstream', '--accent'],
        ['bytesDownstream', 'series.downstream', '--good'],
      ],
      format: bytes,
    },
  };

  function chartData(name) {
    return [history.t, ...CHARTS[name].series.map(([series]) => history.series[series])];
  }

  function makeChart(name) {
    const element = byId(`chart-${name}`);
    const spec = CHARTS[name];
    const small = element.classList.contains('small');
    const text = css('--text-muted');
    const grid = css('--grid');
    const format = spec.format ?? ((value) => integer.format(value));
    const axis = { stroke: text, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } };
    // Counts and bytes are whole numbers: ticks at 1, 2, 5, 10, ... (never 0.5, which printed as "1 B" twice).
    const wholeSteps = [];
    for (let power = 1; power <= 1e12; power *= 10) wholeSteps.push(power, 2 * power, 5 * power);
    const options = {
      width: Math.max(element.clientWidth, 200),
      height: small ? 110 : 200,
      legend: { show: !small, live: true },
      // Room on the right for the last time label.
      padding: [8, 36, 0, 0],
      cursor: { drag: { x: false, y: false } },
      scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(1, max * 1.1)] } },
      series: [
        { label: t('chart.time'), value: (_u, seconds) => (seconds == null ? '' : clock(seconds * 1000)) },
        ...spec.series.map(([, label, color]) => ({
          label: t(label),
          stroke: css(color),
          fill: `${css(color)}22`,
          width: 1.5,
          points: { show: false },
          value: (_u, value) => (value == null ? '' : format(value)),
        })),
      ],
      axes: [
        {
          ...axis,
          // Minutes over a long stretch; seconds while the history is still short (else every label is equal).
          values: (u, splits) => {
            const span = (u.scales.x.max ?? 0) - (u.scales.x.min ?? 0);
            const parts =
              span < 300
                ? { hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' }
                : { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' };
            return splits.map((seconds) => new Date(seconds * 1000).toLocaleTimeString(lang, parts));
          },
          size: small ? 28 : 40,
          space: small ? 70 : 80,
          // Whole seconds at least: samples are a second apart, and sub-second ticks repeat the same label.
          incrs: [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900],
        },
        {
          ...axis,
          values: (_u, splits) => splits.map((value) => format(value)),
          size: small ? 48 : 70,
          incrs: wholeSteps,
        },
      ],
    };
    charts[name]?.destroy();
    element.replaceChildren();
    charts[name] = new uPlot(options, chartData(name), element);
  }

  function drawCharts() {
    for (const name of Object.keys(CHARTS)) makeChart(name);
  }

  function updateCharts() {
    for (const name of Object.keys(CHARTS)) charts[name]?.setData(chartData(name));
  }

  // ---- tables ----
  function cell(row, content, className) {
    const td = document.createElement('td');
    if (className) td.className = className;
    if (content instanceof Node) td.append(content);
    else td.textContent = content;
    row.append(td);
    return td;
  }

  function emptyRow(body, columns, text) {
    const row = document.createElement('tr');
    const td = cell(row, text, 'empty');
    td.colSpan = columns;
    body.replaceChildren(row);
  }

  /** A button's visible text, and its accessible name: that text first, then what it copies. */
  function labelButton(button, text) {
    button.textContent = text;
    button.setAttribute(
      'aria-label',
      `${text}: ${t('refused.copyLabel', { target: button.dataset.target })}`,
    );
  }

  function copyButton(command, target) {
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'copy';
    button.dataset.command = command;
    button.dataset.target = target;
    labelButton(button, t('refused.copy'));
    return button;
  }

  async function copy(button) {
    const command = button.dataset.command ?? '';
    let done = false;
    try {
      await navigator.clipboard.writeText(command);
      done = true;
    } catch {
      // No clipboard API (a page not served from localhost over plain HTTP): select the text and copy.
      const code = button.previousElementSibling;
      if (code) {
        const range = document.createRange();
        range.selectNodeContents(code);
        const selection = getSelection();
        selection?.removeAllRanges();
        selection?.addRange(range);
        done = document.execCommand('copy');
      }
    }
    labelButton(button, done ? t('refused.copied') : t('refused.copyFailed'));
    setTimeout(() => labelButton(button, t('refused.copy')), 2000);
  }

  function renderRefused() {
    const body = byId('refused-rows');
    if (data.refused.length === 0) return emptyRow(body, 6, t('refused.none'));
    const rows = data.refused.map((entry) => {
      const row = document.createElement('tr');
      row.dataset.target = entry.target;
      row.dataset.reason = entry.reason;
      cell(row, entry.target, 'target');
      cell(row, `${entry.eventId} ${entry.reason}`, 'nowrap');
      cell(row, integer.format(entry.count), 'num');
      const clients = entry.clients.join(', ');
      cell(
        row,
        entry.moreClients > 0
          ? `${clients} ${t('refused.moreClients', { count: entry.moreClients })}`
          : clients,
      );
      const when = cell(row, clock(entry.lastSeen), 'nowrap');
      when.title = `${t('refused.first')} ${dateTime(entry.firstSeen)}`;
      const fix = document.createElement('div');
      fix.className = 'fix';
      if (entry.fix.allowedNow) {
        const badge = document.createElement('span');
        badge.className = 'badge good';
        badge.textContent = t('refused.allowedNow');
        fix.append(badge);
      }
      if (entry.fix.command && !entry.fix.allowedNow) {
        const line = document.createElement('div');
        line.className = 'command';
        const code = document.createElement('code');
        code.textContent = entry.fix.command;
        line.append(code, copyButton(entry.fix.command, entry.target));
        fix.append(line);
      }
      if (entry.fix.note && !entry.fix.allowedNow) {
        const note = document.createElement('p');
        note.className = 'note';
        note.textContent = t(`fix.${entry.fix.note}`, entry.fix.params);
        fix.append(note);
      }
      cell(row, fix);
      return row;
    });
    body.replaceChildren(...rows);
  }

  function renderClients() {
    const body = byId('client-rows');
    byId('clients-help').textContent = t('clients.help', {
      shown: data.clients.length,
      total: data.clientsTotal,
    });
    if (data.clients.length === 0) return emptyRow(body, 9, t('clients.none'));
    const fragment = document.createDocumentFragment();
    for (const client of data.clients) {
      const row = document.createElement('tr');
      row.dataset.address = client.address;
      cell(row, client.address, 'nowrap');
      cell(row, integer.format(client.connections), 'num');
      cell(row, integer.format(client.openTunnels), 'num');
      cell(row, integer.format(client.tunnels), 'num');
      cell(row, integer.format(client.refused), 'num');
      cell(row, bytes(client.bytesUpstream), 'num');
      cell(row, bytes(client.bytesDownstream), 'num');
      cell(row, client.lastSni ?? '', 'sni');
      cell(row, clock(client.lastSeen), 'nowrap');
      fragment.append(row);
    }
    body.replaceChildren(fragment);
  }

  function renderEvents() {
    const body = byId('event-rows');
    if (data.events.length === 0) return emptyRow(body, 4, t('events.none'));
    body.replaceChildren(
      ...data.events.map((event) => {
        const row = document.createElement('tr');
        row.className = `level-${event.level}`;
        cell(row, clock(Date.parse(event.time)), 'nowrap').title = event.time;
        cell(row, event.level, 'nowrap');
        cell(row, `${event.id} ${event.name}`, 'nowrap');
        cell(row, event.message);
        return row;
      }),
    );
  }

  function renderConfiguration() {
    byId('config-rows').replaceChildren(
      ...data.configuration.map((entry) => {
        const row = document.createElement('tr');
        const th = document.createElement('th');
        th.scope = 'row';
        th.textContent = entry.key;
        row.append(th);
        const code = document.createElement('code');
        code.textContent = entry.message ? t(entry.message, entry.params) : entry.value;
        cell(row, code);
        return row;
      }),
    );
  }

  function renderWorkers() {
    const items = [];
    const readiness = document.createElement('li');
    readiness.textContent = data.ready ? t('page.ready') : t('page.draining');
    items.push(readiness);
    const limit = document.createElement('li');
    limit.textContent = t('page.maxTunnels', { max: data.maxTunnels });
    items.push(limit);
    if (data.workers === undefined) {
      const single = document.createElement('li');
      single.textContent = t('page.singleProcess');
      items.push(single);
    } else {
      for (const worker of data.workers) {
        const item = document.createElement('li');
        item.textContent = t('page.workerRow', { id: worker.id, pid: String(worker.pid) });
        items.push(item);
      }
    }
    byId('worker-list').replaceChildren(...items);
  }

  function renderCounters() {
    const latest = (name) => {
      const column = history.series[name];
      return column.length > 0 ? column[column.length - 1] : 0;
    };
    const { totals } = data;
    byId('value-activeClientConnections').textContent = integer.format(totals.activeClientConnections);
    byId('value-connectedClients').textContent = integer.format(totals.connectedClients);
    byId('value-errors').textContent = integer.format(latest('errors'));
    byId('value-rejections').textContent = integer.format(latest('rejections'));
    byId('help-activeClientConnections').textContent = t('counter.activeClientConnections.help');
    byId('help-connectedClients').textContent = t('counter.connectedClients.help');
    byId('help-errors').textContent = t('counter.errors.help', { total: totals.errors });
    byId('help-rejections').textContent = t('counter.rejections.help', { total: totals.rejections });
    byId('help-tunnels').textContent = t('chart.tunnels.help', totals.tunnels);
    byId('help-bytes').textContent = t('chart.bytes.help', {
      upstream: bytes(totals.bytes.upstream),
      downstream: bytes(totals.bytes.downstream),
    });
    const readiness = byId('readiness');
    readiness.className = data.ready ? 'ready' : 'draining';
    readiness.textContent = data.ready ? t('page.ready') : t('page.draining');
    byId('since').textContent = t('page.since', { time: dateTime(Date.parse(data.startedAt)) });
  }

  function render() {
    renderCounters();
    renderRefused();
    renderClients();
    renderEvents();
    renderConfiguration();
    renderWorkers();
    byId('updated').textContent = t('page.updated', { time: clock(data.now) });
    byId('updated').classList.remove('stale');
  }

  // ---- live updates ----
  let paused = false;
  let lastAnswer = data.now;
  let timer;

  async function poll() {
    const since = history.t.length > 0 ? history.t[history.t.length - 1] : 0;
    try {
      const response = await fetch(`/api/status?since=${since}`, {
        credentials: 'same-origin',
        headers: { accept: 'application/json' },
        cache: 'no-store',
      });
      if (!response.ok) throw new Error(String(response.status));
      data = await response.json();
      lastAnswer = data.now;
      addHistory(data.history);
      render();
      updateCharts();
    } catch {
      const updated = byId('updated');
      updated.textContent = t('page.stale', { time: clock(lastAnswer) });
      updated.classList.add('stale');
    }
    if (!paused) timer = setTimeout(poll, POLL_MS);
  }

  byId('pause').addEventListener('click', (event) => {
    paused = !paused;
    event.currentTarget.textContent = paused ? t('page.resume') : t('page.pause');
    event.currentTarget.setAttribute('aria-pressed', String(paused));
    clearTimeout(timer);
    if (!paused) poll();
  });
  byId('refused-rows').addEventListener('click', (event) => {
    const button = event.target instanceof Element ? event.target.closest('button.copy') : null;
    if (button) void copy(button);
  });

  /** Loads a script of the admin listener (uPlot); resolves once it ran. */
  function loadScript(src) {
    return new Promise((resolve, reject) => {
      const script = document.createElement('script');
      script.src = src;
      script.onload = resolve;
      script.onerror = () => reject(new Error(`cannot load ${src}`));
      document.head.append(script);
    });
  }

  const uplotSrc = document.currentScript?.dataset.uplot ?? '/status/uplot.js';

  /**
   * The frame the server sent paints first; then the numbers and tables, then uPlot is run (it was
   * preloaded) and the charts drawn: the first paint never waits for the charts library.
   */
  async function start() {
    addHistory(data.history);
    render();
    await loadScript(uplotSrc);
    drawCharts();
    /** For scripts and tests: the charts (uPlot instances, `.data` is what is plotted) and the data shown. */
    window.agentGatewayStatus = {
      charts,
      history,
      get data() {
        return data;
      },
    };
    performance.mark('agw-status-rendered');
    // Redraw on a new width and on a switch between light and dark (the colours come from the stylesheet).
    let resizing;
    new ResizeObserver(() => {
      clearTimeout(resizing);
      resizing = setTimeout(() => {
        for (const [name, chart] of Object.entries(charts)) {
          chart.setSize({ width: Math.max(byId(`chart-${name}`).clientWidth, 200), height: chart.height });
        }
      }, 100);
    }).observe(document.querySelector('main'));
    matchMedia('(prefers-color-scheme: dark)').addEventListener('change', drawCharts);
    timer = setTimeout(poll, POLL_MS);
  }
  requestAnimationFrame(() => setTimeout(start, 0));
})();
