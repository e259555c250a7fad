(function () {
  'use strict';

  // Lanes in journey order. A touchpoint that names no stage of its own sits in the lane of the stage the customer
  // was in when it happened (the timeline's journeyStages, decided by the hub from the whole summary) and is drawn
  // with a dotted outline and says "stage inferred", so the map never shows more certainty than the data has. The
  // Unstaged lane only appears for a touchpoint the hub gave no placement for.
  var STAGES = ['awareness', 'consideration', 'decision', 'retention'];
  var UNSTAGED = 'unstaged';
  var STAGE_LABELS = { awareness: 'Awareness', consideration: 'Consideration', decision: 'Decision', retention: 'Retention', unstaged: 'Unstaged' };
  var LANE_FILL = { awareness: '#eff6ff', consideration: '#f5f3ff', decision: '#ecfdf5', retention: '#fff7ed', unstaged: '#f8fafc' };
  // Every colour has at least 3:1 contrast against white (WCAG non-text contrast).
  var CHANNEL_COLORS = {
    email: '#1d4ed8', web: '#0e7490', social: '#db2777', review: '#b45309', crm: '#4338ca', phone: '#047857',
    chat: '#7c3aed', meeting: '#0f766e', survey: '#a21caf', ads: '#c2410c', in_store: '#15803d', other: '#475569'
  };
  var CHANNEL_LABELS = { in_store: 'in store' };
  var SOURCE_LABELS = {
    hubspot: 'HubSpot', salesforce: 'Salesforce', meta: 'Facebook', instagram: 'Instagram', trustpilot: 'Trustpilot',
    google: 'Google reviews', shopify: 'Shopify', zendesk: 'Zendesk', intercom: 'Intercom', typeform: 'Typeform',
    surveymonkey: 'SurveyMonkey', delighted: 'Delighted'
  };
  var COLUMN = 16;          // px per time bucket: one marker's width plus a gap
  var STACK = 3;            // up to this many touchpoints per bucket are drawn one by one, more become a counted cluster
  var LANE_HEIGHT = 58;
  var PAIN_DROP = 0.3;      // a fall of at least this much into negative sentiment is a pain point
  var NEGATIVE = -0.2;      // the hub's negative label threshold
  var MAX_PAGES_FOR_ALL = 100;

  // The key comes from the URL fragment and travels as x-functions-key (JourneyHubKey, Ui/hub-key.js).
  var params = new URLSearchParams(window.location.search);
  var pageSize = clampInt(params.get('pageSize'), 1, 200, 200);

  var els = {};
  ['q', 'search', 'status', 'summary', 'map-section', 'map', 'sentiment', 'legend', 'older', 'all', 'loaded-count',
    'details', 'details-body', 'details-title', 'details-close', 'tooltip', 'current-stage', 'stage-steps', 'conversion',
    'conversion-detail', 'nps', 'csat', 'scores-detail', 'touch-count', 'touch-span', 'by-channel'].forEach(function (id) {
    els[id] = document.getElementById(id);
  });

  var state = null;         // { customerId, items, byId, nextCursor, journey, loading, generation }
  var groups = {};          // marker key → touchpoints in that marker
  var lastOpener = null;
  var generation = 0;

  function clampInt(text, min, max, fallback) {
    var n = parseInt(text || '', 10);
    return isNaN(n) ? fallback : Math.min(max, Math.max(min, n));
  }

  function esc(text) {
    return String(text == null ? '' : text).replace(/[&<>"']/g, function (c) {
      return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c];
    });
  }

  function channelColor(channel) { return CHANNEL_COLORS[channel] || CHANNEL_COLORS.other; }
  function channelLabel(channel) { return CHANNEL_LABELS[channel] || channel || 'other'; }
  function sourceLabel(source) {
    return SOURCE_LABELS[source] || (source && source.indexOf('custom:') === 0 ? source.slice(7) : source) || 'unknown';
  }
  function placedStage(tp) {
    var placed = state && state.journeyStages[tp.touchpointId];
    return STAGES.indexOf(placed) >= 0 ? placed : null;
  }
  function isInferred(tp) { return STAGES.indexOf(tp.stage) < 0 && placedStage(tp) !== null; }
  function laneOf(tp) { return STAGES.indexOf(tp.stage) >= 0 ? tp.stage : placedStage(tp) || UNSTAGED; }
  function time(tp) { return Date.parse(tp.occurredAt); }

  var dateFormat = new Intl.DateTimeFormat(undefined, { year: 'numeric', month: 'short', day: 'numeric' });
  var dateTimeFormat = new Intl.DateTimeFormat(undefined, { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
  function fmtDate(value) { return value ? dateFormat.format(new Date(value)) : '–'; }
  function fmtDateTime(value) { return value ? dateTimeFormat.format(new Date(value)) : '–'; }

  // ---- API ---------------------------------------------------------------------------------------------------

  function api(path, query) {
    var qs = new URLSearchParams(query || {}).toString();
    return JourneyHubKey.fetch('/api/' + path + (qs ? '?' + qs : ''), { headers: { Accept: 'application/json' } }).then(function (response) {
      if (response.ok) { return response.json(); }
      return response.json().catch(function () { return {}; }).then(function (problem) {
        var error = new Error(problem.title || ('HTTP ' + response.status));
        error.status = response.status;
        error.detail = problem.detail || '';
        throw error;
      });
    });
  }

  /** e-mail → email:<value>; cus_… → the id itself; type:value → that identity. */
  function resolve(text) {
    var q = text.trim();
    if (/^cus_[A-Za-z0-9]+$/.test(q)) { return Promise.resolve(q); }
    var identity = q.indexOf('@') > 0 && q.indexOf(':') < 0 ? 'email:' + q : q;
    if (identity.indexOf(':') < 1) {
      return Promise.reject(Object.assign(new Error('Type an e-mail address, a customer id (cus_…) or an identity such as hubspot:81273645012.'), { status: 400 }));
    }
    return api('customers', { identity: identity }).then(function (customer) { return customer.customerId; });
  }

  function search(text) {
    var mine = ++generation;
    closeDetails(false);
    setStatus('Looking up ' + text.trim() + '…');
    resolve(text).then(function (customerId) {
      return Promise.all([api('customers/' + encodeURIComponent(customerId) + '/journey'), fetchPage(customerId, null)])
        .then(function (results) {
          if (mine !== generation) { return; }
          var journey = results[0];
          var page = results[1];
          state = { customerId: journey.customerId, journey: journey, items: [], byId: new Map(), journeyStages: {}, nextCursor: null, loading: false };
          addPage(page);
          remember(text, journey.customerId);
          showSummary(journey);
          els.summary.hidden = false;
          els['map-section'].hidden = false;
          render();
          setStatus('Customer ' + journey.customerId + ' · ' + journey.touchpointCount + ' touchpoints');
        });
    }).catch(function (error) {
      if (mine !== generation) { return; }
      els.summary.hidden = true;
      els['map-section'].hidden = true;
      state = null;
      var message = error.status === 404 ? 'No customer found for "' + text.trim() + '".'
        : error.status === 401 ? 'The hub refused the key: open this page with #code=<function key> at the end of its address.'
        : (error.message || 'Something went wrong') + (error.detail ? ' — ' + error.detail : '');
      setStatus(message, true);
    });
  }

  function fetchPage(customerId, cursor) {
    var query = { limit: String(pageSize) };
    if (cursor) { query.cursor = cursor; }
    return api('customers/' + encodeURIComponent(customerId) + '/timeline', query);
  }

  function addPage(page) {
    var placed = page.journeyStages || {};
    Object.keys(placed).forEach(function (id) { state.journeyStages[id] = placed[id]; });
    (page.items || []).forEach(function (tp) {
      if (!state.byId.has(tp.touchpointId)) {
        state.byId.set(tp.touchpointId, tp);
        state.items.push(tp);
      }
    });
    state.nextCursor = page.nextCursor || null;
  }

  function loadOlder(all) {
    if (!state || state.loading || !state.nextCursor) { return Promise.resolve(); }
    var mine = generation;
    state.loading = true;
    updatePaging();
    var pages = 0;
    function step() {
      return fetchPage(state.customerId, state.nextCursor).then(function (page) {
        if (mine !== generation) { return; }
        addPage(page);
        pages++;
        if (all && state.nextCursor && pages < MAX_PAGES_FOR_ALL) {
          els['loaded-count'].textContent = 'Loading… ' + state.items.length + ' touchpoints so far';
          return step();
        }
      });
    }
    return step().then(function () {
      if (mine !== generation) { return; }
      state.loading = false;
      render();
    }).catch(function (error) {
      state.loading = false;
      updatePaging();
      setStatus('Could not load older touchpoints: ' + error.message, true);
    });
  }

  function remember(text, customerId) {
    var next = new URLSearchParams(window.location.search);
    next.set('customer', customerId);
    next.delete('q');
    JourneyHubKey.replaceQuery(next);
    if (els.q.value.trim() === '') { els.q.value = text; }
  }

  function setStatus(text, isError) {
    els.status.textContent = text;
    els.status.classList.toggle('error', !!isError);
  }

  // ---- Summary -----------------------------------------------------------------------------------------------

  function showSummary(j) {
    var stage = j.currentStage;
    els['current-stage'].textContent = stage ? STAGE_LABELS[stage] : 'Not staged yet';
    var current = STAGES.indexOf(stage);
    // The steps follow the customer (journeyStages), like the current stage above them.
    var stages = j.journeyStages || j.stages || {};
    els['stage-steps'].innerHTML = STAGES.map(function (s, i) {
      var reached = stages[s];
      var cls = i === current ? 'current' : reached ? 'reached' : '';
      return '<li class="' + cls + '" title="' + esc(STAGE_LABELS[s]) + (reached ? ': ' + reached.count + ', first ' + esc(fmtDate(reached.first)) : ': not reached') + '">' +
        '<span class="visually-hidden">' + esc(STAGE_LABELS[s]) + (reached ? ' reached' : ' not reached') + '</span></li>';
    }).join('');

    if (j.converted) {
      els.conversion.textContent = 'Converted';
      els['conversion-detail'].textContent = fmtDate(j.convertedAt) + (j.daysToConvert != null ? ' · ' + formatDays(j.daysToConvert) + ' after first touch' : '');
    } else {
      els.conversion.textContent = 'Not yet';
      els['conversion-detail'].textContent = 'No decision-stage touchpoint so far';
    }

    els.nps.textContent = j.latestNps ? 'NPS ' + j.latestNps.score : 'NPS –';
    els.csat.textContent = j.latestCsat ? 'CSAT ' + j.latestCsat.score : 'CSAT –';
    var scoreDates = [];
    if (j.latestNps) { scoreDates.push('NPS ' + fmtDate(j.latestNps.at)); }
    if (j.latestCsat) { scoreDates.push('CSAT ' + fmtDate(j.latestCsat.at)); }
    els['scores-detail'].textContent = scoreDates.length ? 'latest: ' + scoreDates.join(', ') : 'No survey answers yet';

    els['touch-count'].textContent = String(j.touchpointCount);
    var kinds = j.byKind || {};
    els['touch-span'].textContent = fmtDate(j.firstTouchAt) + ' – ' + fmtDate(j.lastTouchAt) +
      ' · ' + (kinds.direct || 0) + ' direct, ' + (kinds.indirect || 0) + ' indirect';

    var channels = Object.keys(j.byChannel || {});
    var max = channels.reduce(function (m, c) { return Math.max(m, j.byChannel[c]); }, 1);
    els['by-channel'].innerHTML = channels.map(function (c) {
      var n = j.byChannel[c];
      return '<li data-channel="' + esc(c) + '"><span>' + esc(channelLabel(c)) + '</span>' +
        '<span class="bar" role="img" aria-label="' + esc(channelLabel(c)) + ': ' + n + '"><span data-w="' + Math.max(2, Math.round(100 * n / max)) + '" data-c="' + esc(channelColor(c)) + '"></span></span>' +
        '<span class="n">' + n + '</span></li>';
    }).join('') || '<li>No touchpoints</li>';
    // Widths and colours through the CSSOM: the page's CSP allows no inline style attributes.
    Array.prototype.forEach.call(els['by-channel'].querySelectorAll('[data-w]'), function (bar) {
      bar.style.width = bar.getAttribute('data-w') + '%';
      bar.style.background = bar.getAttribute('data-c');
    });
  }

  function formatDays(days) {
    if (days < 1) { return Math.round(days * 24) + ' h'; }
    return (days < 10 ? days.toFixed(1) : Math.round(days)) + ' days';
  }

  // ---- Map ---------------------------------------------------------------------------------------------------

  function render() {
    if (!state) { return; }
    groups = {};
    var width = Math.max(300, Math.floor(els.map.clientWidth || 900));
    var narrow = width < 600;
    var gutter = narrow ? 6 : 128;
    var right = 14;
    var items = state.items;
    var times = items.map(time);
    var min = Math.min.apply(null, times.length ? times : [Date.now()]);
    var max = Math.max.apply(null, times.length ? times : [Date.now()]);
    if (max - min < 3600e3) { min -= 12 * 3600e3; max += 12 * 3600e3; }
    var pad = (max - min) * 0.02;
    min -= pad; max += pad;
    var plotWidth = width - gutter - right;
    var x = function (t) { return gutter + (t - min) / (max - min) * plotWidth; };
    var columns = Math.max(1, Math.floor(plotWidth / COLUMN));
    var column = function (t) { return Math.min(columns - 1, Math.max(0, Math.floor((t - min) / (max - min) * columns))); };
    var columnCenter = function (c) { return gutter + (c + 0.5) * plotWidth / columns; };

    var lanes = STAGES.slice();
    if (items.some(function (tp) { return laneOf(tp) === UNSTAGED; })) { lanes.push(UNSTAGED); }
    var laneTop = narrow ? 18 : 4;
    var axisHeight = 22;
    var height = axisHeight + lanes.length * (LANE_HEIGHT + (narrow ? 16 : 0)) + 6;
    var ticks = niceTicks(min, max, Math.max(2, Math.floor(plotWidth / (narrow ? 80 : 110))));

    var out = [];
    out.push('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ' + width + ' ' + height + '" width="' + width + '" height="' + height + '" aria-hidden="false">');
    // Lanes.
    var laneY = {};
    var laneCounts = {};
    var laneInferred = {};
    lanes.forEach(function (lane, i) {
      var top = i * (LANE_HEIGHT + (narrow ? 16 : 0)) + (narrow ? 14 : 0);
      laneY[lane] = top;
      laneCounts[lane] = 0;
      laneInferred[lane] = 0;
    });
    items.forEach(function (tp) {
      laneCounts[laneOf(tp)]++;
      if (isInferred(tp)) { laneInferred[laneOf(tp)]++; }
    });
    lanes.forEach(function (lane) {
      var top = laneY[lane];
      var inferred = laneInferred[lane];
      out.push('<g class="lane" data-lane="' + lane + '" data-lane-count="' + laneCounts[lane] + '" data-lane-inferred="' + inferred + '">');
      out.push('<rect x="' + gutter + '" y="' + top + '" width="' + plotWidth + '" height="' + LANE_HEIGHT + '" fill="' + LANE_FILL[lane] + '" rx="4"/>');
      if (narrow) {
        out.push('<text class="lane-label" x="' + (gutter + 2) + '" y="' + (top - 3) + '">' + STAGE_LABELS[lane] + ' <tspan class="lane-count">(' + laneCounts[lane] +
          (inferred ? ', ' + inferred + ' inferred' : '') + ')</tspan></text>');
      } else {
        out.push('<text class="lane-label" x="8" y="' + (top + LANE_HEIGHT / 2 - 8) + '">' + STAGE_LABELS[lane] + '</text>');
        out.push('<text class="lane-count" x="8" y="' + (top + LANE_HEIGHT / 2 + 7) + '">' + laneCounts[lane] + ' touchpoint' + (laneCounts[lane] === 1 ? '' : 's') + '</text>');
        if (inferred) {
          out.push('<text class="lane-count" x="8" y="' + (top + LANE_HEIGHT / 2 + 21) + '">' + inferred + ' inferred</text>');
        }
      }
      out.push('</g>');
    });
    var lanesBottom = laneY[lanes[lanes.length - 1]] + LANE_HEIGHT;
    // Grid and axis.
    ticks.forEach(function (t) {
      var tx = x(t.at);
      if (tx < gutter || tx > gutter + plotWidth) { return; }
      out.push('<line x1="' + tx + '" x2="' + tx + '" y1="' + (narrow ? 14 : 0) + '" y2="' + (lanesBottom + 4) + '" stroke="#cbd5e1" stroke-dasharray="2 4"/>');
      out.push('<text class="tick" x="' + tx + '" y="' + (lanesBottom + 17) + '" text-anchor="middle">' + esc(t.label) + '</text>');
    });

    // Markers: bucket per lane per column; sparse buckets draw each touchpoint, dense ones one counted cluster.
    var buckets = {};
    items.forEach(function (tp) {
      var key = laneOf(tp) + ':' + column(time(tp));
      (buckets[key] || (buckets[key] = [])).push(tp);
    });
    var markers = [];
    Object.keys(buckets).forEach(function (key) {
      var list = buckets[key].sort(function (a, b) { return time(a) - time(b); });
      var lane = key.slice(0, key.indexOf(':'));
      var col = parseInt(key.slice(key.indexOf(':') + 1), 10);
      var mid = laneY[lane] + LANE_HEIGHT / 2;
      if (list.length <= STACK) {
        list.forEach(function (tp, i) {
          var cy = mid + (i - (list.length - 1) / 2) * 16;
          var cx = list.length === 1 ? x(time(tp)) : columnCenter(col);
          markers.push({ x: cx, y: cy, html: singleMarker(tp, lane, cx, cy) });
        });
      } else {
        var cx = columnCenter(col);
        markers.push({ x: cx, y: mid, html: clusterMarker(list, lane, key, cx, mid) });
      }
    });
    // Document order = reading order (left to right, then top to bottom), so Tab walks the map in time.
    markers.sort(function (a, b) { return a.x - b.x || a.y - b.y; });
    out.push('<g class="markers">');
    markers.forEach(function (m) { out.push(m.html); });
    out.push('</g></svg>');
    els.map.innerHTML = out.join('');

    renderSentiment(width, gutter, plotWidth, x, column, columnCenter, ticks, narrow);
    renderLegend();
    updatePaging();
  }

  function singleMarker(tp, lane, cx, cy) {
    var color = channelColor(tp.channel);
    var indirect = tp.kind === 'indirect';
    var key = 'tp:' + tp.touchpointId;
    groups[key] = [tp];
    var inferred = isInferred(tp);
    var label = tp.summary + ' — ' + fmtDateTime(tp.occurredAt) + ', ' + channelLabel(tp.channel) + ', ' + (tp.kind || 'direct') + ', ' + STAGE_LABELS[lane] +
      (inferred ? ' (stage inferred: the customer\'s stage at the time)' : '');
    return '<g class="tp" tabindex="0" role="button" data-key="' + esc(key) + '" data-touchpoint-id="' + esc(tp.touchpointId) + '" data-lane="' + lane +
      '" data-stage="' + esc(tp.stage || '') + '" data-inferred="' + inferred + '" data-source="' + esc(tp.source) + '" data-channel="' + esc(tp.channel) + '" data-kind="' + esc(tp.kind) + '" data-count="1" aria-label="' + esc(label) + '">' +
      '<circle class="ring" cx="' + cx.toFixed(1) + '" cy="' + cy.toFixed(1) + '" r="10"/>' +
      (inferred ? inferredOutline(cx, cy, 9) : '') +
      (indirect
        ? '<circle cx="' + cx.toFixed(1) + '" cy="' + cy.toFixed(1) + '" r="6" fill="#ffffff" stroke="' + color + '" stroke-width="2.5" stroke-dasharray="3 2"/>'
        : '<circle cx="' + cx.toFixed(1) + '" cy="' + cy.toFixed(1) + '" r="6.5" fill="' + color + '" stroke="#ffffff" stroke-width="1"/>') +
      '</g>';
  }

  function clusterMarker(list, lane, key, cx, cy) {
    groups[key] = list;
    var byChannel = {};
    var indirect = 0;
    var inferred = 0;
    list.forEach(function (tp) {
      byChannel[tp.channel] = (byChannel[tp.channel] || 0) + 1;
      if (tp.kind === 'indirect') { indirect++; }
      if (isInferred(tp)) { inferred++; }
    });
    var channels = Object.keys(byChannel).sort(function (a, b) { return byChannel[b] - byChannel[a]; });
    var dominant = channels[0];
    var color = channelColor(dominant);
    var allIndirect = indirect === list.length;
    var r = Math.min(15, 9 + Math.log10(list.length) * 3);
    var label = list.length + ' touchpoints in ' + STAGE_LABELS[lane] + ', ' + fmtDate(list[0].occurredAt) + ' – ' + fmtDate(list[list.length - 1].occurredAt) + ': ' +
      channels.map(function (c) { return byChannel[c] + ' ' + channelLabel(c); }).join(', ') +
      (inferred ? '; stage inferred for ' + inferred + ' (the customer\'s stage at the time)' : '');
    var text = list.length > 999 ? Math.round(list.length / 1000) + 'k' : String(list.length);
    return '<g class="tp cluster" tabindex="0" role="button" data-key="' + esc(key) + '" data-lane="' + lane + '" data-channel="' + esc(dominant) +
      '" data-kind="' + (allIndirect ? 'indirect' : indirect ? 'mixed' : 'direct') + '" data-count="' + list.length + '" data-inferred="' + inferred + '" aria-label="' + esc(label) + '">' +
      '<circle class="ring" cx="' + cx.toFixed(1) + '" cy="' + cy + '" r="' + (r + 4).toFixed(1) + '"/>' +
      (inferred ? inferredOutline(cx, cy, r + 3) : '') +
      (allIndirect
        ? '<circle cx="' + cx.toFixed(1) + '" cy="' + cy + '" r="' + r.toFixed(1) + '" fill="#ffffff" stroke="' + color + '" stroke-width="2.5" stroke-dasharray="3 2"/>'
        : '<circle cx="' + cx.toFixed(1) + '" cy="' + cy + '" r="' + r.toFixed(1) + '" fill="' + color + '" stroke="#ffffff" stroke-width="1"/>') +
      '<text class="badge' + (allIndirect ? ' dark' : '') + '" x="' + cx.toFixed(1) + '" y="' + (cy + 3.5) + '" text-anchor="middle">' + text + '</text>' +
      '</g>';
  }

  /** A dotted outline around a marker whose lane was inferred; indirect markers are dashed inside it, so both read together. */
  function inferredOutline(cx, cy, r) {
    return '<circle class="inferred" cx="' + cx.toFixed(1) + '" cy="' + (typeof cy === 'number' ? cy.toFixed(1) : cy) + '" r="' + r.toFixed(1) +
      '" fill="none" stroke="#334155" stroke-width="1.5" stroke-dasharray="1.5 2.5" stroke-linecap="round"/>';
  }

  function renderSentiment(width, gutter, plotWidth, x, column, columnCenter, ticks, narrow) {
    var height = 120;
    var top = 8;
    var bottom = height - 22;
    var y = function (score) { return top + (1 - score) / 2 * (bottom - top); };
    // Average per column so 5,000 readings draw as at most one point per column.
    var cols = {};
    state.items.forEach(function (tp) {
      if (!tp.sentiment || typeof tp.sentiment.score !== 'number') { return; }
      var c = column(time(tp));
      var b = cols[c] || (cols[c] = { col: c, sum: 0, n: 0, items: [] });
      b.sum += tp.sentiment.score;
      b.n++;
      b.items.push(tp);
    });
    var points = Object.keys(cols).map(function (k) { return cols[k]; }).sort(function (a, b) { return a.col - b.col; });
    points.forEach(function (p) {
      p.score = p.sum / p.n;
      p.x = p.n === 1 ? x(time(p.items[0])) : columnCenter(p.col);
      p.items.sort(function (a, b) { return a.sentiment.score - b.sentiment.score; });
    });
    var out = [];
    out.push('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ' + width + ' ' + height + '" width="' + width + '" height="' + height + '">');
    out.push('<rect x="' + gutter + '" y="' + y(1) + '" width="' + plotWidth + '" height="' + (y(0.2) - y(1)) + '" fill="#f0fdf4"/>');
    out.push('<rect x="' + gutter + '" y="' + y(-0.2) + '" width="' + plotWidth + '" height="' + (y(-1) - y(-0.2)) + '" fill="#fef2f2"/>');
    out.push('<line x1="' + gutter + '" x2="' + (gutter + plotWidth) + '" y1="' + y(0) + '" y2="' + y(0) + '" stroke="#94a3b8"/>');
    if (!narrow) {
      out.push('<text class="lane-label" x="8" y="' + (y(0) + 4) + '">Sentiment</text>');
      out.push('<text class="tick" x="' + (gutter - 6) + '" y="' + (y(1) + 4) + '" text-anchor="end">+1</text>');
      out.push('<text class="tick" x="' + (gutter - 6) + '" y="' + (y(-1) + 4) + '" text-anchor="end">−1</text>');
    }
    ticks.forEach(function (t) {
      var tx = x(t.at);
      if (tx < gutter || tx > gutter + plotWidth) { return; }
      out.push('<line x1="' + tx + '" x2="' + tx + '" y1="' + top + '" y2="' + bottom + '" stroke="#cbd5e1" stroke-dasharray="2 4"/>');
      out.push('<text class="tick" x="' + tx + '" y="' + (height - 6) + '" text-anchor="middle">' + esc(t.label) + '</text>');
    });
    if (points.length === 0) {
      out.push('<text class="tick" x="' + (gutter + plotWidth / 2) + '" y="' + y(0.5) + '" text-anchor="middle">No sentiment readings in the loaded touchpoints</text>');
    } else {
      out.push('<path d="' + points.map(function (p, i) { return (i ? 'L' : 'M') + p.x.toFixed(1) + ' ' + y(p.score).toFixed(1); }).join(' ') +
        '" fill="none" stroke="#334155" stroke-width="2" stroke-linejoin="round"/>');
      var pains = 0;
      points.forEach(function (p, i) {
        var color = p.score > 0.2 ? '#15803d' : p.score < NEGATIVE ? '#b91c1c' : '#64748b';
        var prev = i > 0 ? points[i - 1].score : null;
        var pain = p.score < NEGATIVE && (prev === null || prev - p.score >= PAIN_DROP);
        var worst = p.items[0];
        var key = 'sent:' + p.col;
        groups[key] = p.items;
        if (pain) {
          pains++;
          var py = y(p.score);
          var label = 'Pain point: sentiment ' + p.score.toFixed(2) + (prev === null ? '' : ' after ' + prev.toFixed(2)) + ' — ' + worst.summary + ', ' + fmtDate(worst.occurredAt);
          out.push('<g class="pain" tabindex="0" role="button" data-pain="true" data-key="' + key + '" data-touchpoint-id="' + esc(worst.touchpointId) + '" aria-label="' + esc(label) + '">' +
            '<circle class="ring" cx="' + p.x.toFixed(1) + '" cy="' + (py + 2).toFixed(1) + '" r="11"/>' +
            '<path d="M' + (p.x - 7).toFixed(1) + ' ' + (py - 4).toFixed(1) + ' L' + (p.x + 7).toFixed(1) + ' ' + (py - 4).toFixed(1) + ' L' + p.x.toFixed(1) + ' ' + (py + 8).toFixed(1) + ' Z" fill="#b91c1c" stroke="#ffffff" stroke-width="1"/>' +
            '</g>');
        } else {
          out.push('<g class="tp sent" data-key="' + key + '" data-count="' + p.n + '"><circle cx="' + p.x.toFixed(1) + '" cy="' + y(p.score).toFixed(1) + '" r="3.5" fill="' + color + '"/></g>');
        }
      });
      els.sentiment.setAttribute('data-pain-points', String(pains));
    }
    out.push('</svg>');
    els.sentiment.innerHTML = out.join('');
  }

  function renderLegend() {
    var used = {};
    state.items.forEach(function (tp) { used[tp.channel] = true; });
    var html = Object.keys(CHANNEL_COLORS).filter(function (c) { return used[c]; }).map(function (c) {
      return '<span><svg width="12" height="12" aria-hidden="true"><circle cx="6" cy="6" r="5" fill="' + channelColor(c) + '"/></svg>' + esc(channelLabel(c)) + '</span>';
    });
    html.push('<span><svg width="12" height="12" aria-hidden="true"><circle cx="6" cy="6" r="5" fill="#475569"/></svg>direct (filled)</span>');
    html.push('<span><svg width="14" height="14" aria-hidden="true"><circle cx="7" cy="7" r="5" fill="#fff" stroke="#475569" stroke-width="2" stroke-dasharray="3 2"/></svg>indirect (hollow, dashed)</span>');
    html.push('<span><svg width="18" height="18" aria-hidden="true"><circle cx="9" cy="9" r="8" fill="#475569"/><text x="9" y="12.5" text-anchor="middle" class="badge">n</text></svg>n touchpoints close together</span>');
    if (state.items.some(isInferred)) {
      html.push('<span data-legend="inferred"><svg width="22" height="22" aria-hidden="true"><circle cx="11" cy="11" r="9.5" fill="none" stroke="#334155" stroke-width="1.5" stroke-dasharray="1.5 2.5" stroke-linecap="round"/>' +
        '<circle cx="11" cy="11" r="6" fill="#475569"/></svg>stage inferred (dotted outline): the event names no stage, so it sits where the customer was</span>');
    }
    var sources = {};
    state.items.forEach(function (tp) { sources[sourceLabel(tp.source)] = true; });
    var names = Object.keys(sources).sort();
    if (names.length) {
      html.push('<span class="legend-sources" data-sources="' + esc(names.join(',')) + '">from ' + esc(names.join(', ')) + '</span>');
    }
    els.legend.innerHTML = html.join('');
  }

  function updatePaging() {
    if (!state) { return; }
    var total = state.journey ? state.journey.touchpointCount : state.items.length;
    var oldest = state.items.length ? state.items[state.items.length - 1].occurredAt : null;
    els['loaded-count'].textContent = 'Showing ' + state.items.length + ' of ' + total + ' touchpoints' +
      (oldest ? ' (back to ' + fmtDate(oldest) + ')' : '') + (state.nextCursor ? '' : ' — all loaded');
    els.older.disabled = !state.nextCursor || state.loading;
    els.all.disabled = !state.nextCursor || state.loading;
    els['map-section'].setAttribute('data-loaded', String(state.items.length));
    els['map-section'].setAttribute('data-has-older', state.nextCursor ? 'true' : 'false');
  }

  /** Calendar-aligned ticks: hours, days, weeks, months or years, whichever gives at most maxTicks. */
  function niceTicks(min, max, maxTicks) {
    var hour = 3600e3, day = 24 * hour;
    var steps = [
      { ms: hour, unit: 'h', n: 1 }, { ms: 3 * hour, unit: 'h', n: 3 }, { ms: 6 * hour, unit: 'h', n: 6 }, { ms: 12 * hour, unit: 'h', n: 12 },
      { ms: day, unit: 'd', n: 1 }, { ms: 2 * day, unit: 'd', n: 2 }, { ms: 7 * day, unit: 'd', n: 7 }, { ms: 14 * day, unit: 'd', n: 14 },
      { ms: 30 * day, unit: 'm', n: 1 }, { ms: 91 * day, unit: 'm', n: 3 }, { ms: 182 * day, unit: 'm', n: 6 }, { ms: 365 * day, unit: 'y', n: 1 }
    ];
    var step = steps[steps.length - 1];
    for (var i = 0; i < steps.length; i++) {
      if ((max - min) / steps[i].ms <= maxTicks) { step = steps[i]; break; }
    }
    var withYear = new Date(min).getFullYear() !== new Date(max).getFullYear();
    var fmt = step.unit === 'h' ? new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', hour: '2-digit' })
      : step.unit === 'y' ? new Intl.DateTimeFormat(undefined, { year: 'numeric' })
      : step.unit === 'm' ? new Intl.DateTimeFormat(undefined, withYear ? { month: 'short', year: '2-digit' } : { month: 'short' })
      : new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric' });
    var d = new Date(min);
    if (step.unit === 'h') { d.setMinutes(0, 0, 0); d.setHours(Math.ceil(d.getHours() / step.n) * step.n); }
    else if (step.unit === 'd') { d.setHours(0, 0, 0, 0); d.setDate(d.getDate() + 1); if (step.n === 7 || step.n === 14) { d.setDate(d.getDate() + ((8 - d.getDay()) % 7)); } }
    else if (step.unit === 'm') { d.setHours(0, 0, 0, 0); d.setDate(1); d.setMonth(d.getMonth() + 1); d.setMonth(Math.ceil(d.getMonth() / step.n) * step.n); }
    else { d = new Date(new Date(min).getFullYear() + 1, 0, 1); }
    var ticks = [];
    while (d.getTime() <= max && ticks.length < 60) {
      ticks.push({ at: d.getTime(), label: fmt.format(d) });
      if (step.unit === 'h') { d.setHours(d.getHours() + step.n); }
      else if (step.unit === 'd') { d.setDate(d.getDate() + step.n); }
      else if (step.unit === 'm') { d.setMonth(d.getMonth() + step.n); }
      else { d.setFullYear(d.getFullYear() + 1); }
    }
    return ticks;
  }

  // ---- Interaction -------------------------------------------------------------------------------------------

  function markerFrom(target) {
    return target && target.closest ? target.closest('[data-key]') : null;
  }

  function showTooltip(marker, clientX, clientY) {
    var list = groups[marker.getAttribute('data-key')];
    if (!list) { return; }
    var tip = els.tooltip;
    if (list.length === 1) {
      var tp = list[0];
      tip.innerHTML = esc(tp.summary) + '<div class="t-meta">' + esc(fmtDateTime(tp.occurredAt)) + ' · ' + esc(tp.source) + ' · ' + esc(channelLabel(tp.channel)) + ' · ' + esc(tp.kind) +
        (tp.sentiment ? ' · sentiment ' + esc(tp.sentiment.score) : '') + (isInferred(tp) ? ' · stage inferred' : '') + '</div>';
    } else {
      tip.innerHTML = esc(list.length + ' touchpoints') + '<div class="t-meta">' + esc(fmtDate(list[0].occurredAt) + ' – ' + fmtDate(list[list.length - 1].occurredAt)) + ' · click to list them</div>';
    }
    tip.hidden = false;
    var box = tip.getBoundingClientRect();
    var left = Math.min(window.innerWidth - box.width - 8, Math.max(8, clientX + 12));
    var top = clientY + 16 + box.height > window.innerHeight ? clientY - box.height - 12 : clientY + 16;
    tip.style.left = left + 'px';
    tip.style.top = Math.max(8, top) + 'px';
  }

  function hideTooltip() { els.tooltip.hidden = true; }

  function openMarker(marker) {
    var list = groups[marker.getAttribute('data-key')];
    if (!list) { return; }
    lastOpener = marker;
    var id = marker.getAttribute('data-touchpoint-id');
    if (list.length === 1 || id) {
      openTouchpoint(id ? state.byId.get(id) || list[0] : list[0]);
    } else {
      openCluster(list);
    }
  }

  function openTouchpoint(tp) {
    hideTooltip();
    els['details-title'].textContent = 'Touchpoint';
    var rows = [
      ['When', fmtDateTime(tp.occurredAt)], ['Source', tp.source], ['Channel', channelLabel(tp.channel)], ['Kind', tp.kind],
      ['Stage', STAGES.indexOf(tp.stage) >= 0 ? STAGE_LABELS[tp.stage]
        : placedStage(tp) ? STAGE_LABELS[placedStage(tp)] + ' (inferred: the event names no stage; the customer was in this stage then)'
        : 'unstaged'], ['Action', tp.action]
    ];
    if (tp.sentiment) { rows.push(['Sentiment', tp.sentiment.score + ' (' + tp.sentiment.label + ')']); }
    if (tp.rating) { rows.push(['Rating', tp.rating.value + ' / ' + tp.rating.scale]); }
    if (tp.survey) { rows.push(['Survey', tp.survey.type.toUpperCase() + ' ' + tp.survey.score + (tp.survey.comment ? ': ' + tp.survey.comment : '')]); }
    rows.push(['Touchpoint id', tp.touchpointId]);
    els['details-body'].innerHTML = '<p class="d-summary"><span class="chip" data-c="' + esc(channelColor(tp.channel)) + '">' + esc(channelLabel(tp.channel)) + '</span> ' + esc(tp.summary) + '</p>' +
      '<dl>' + rows.map(function (r) { return '<dt>' + esc(r[0]) + '</dt><dd>' + esc(r[1]) + '</dd>'; }).join('') + '</dl>' +
      '<h3 class="visually-hidden">Raw touchpoint</h3><pre id="details-json" data-touchpoint-id="' + esc(tp.touchpointId) + '">' + esc(JSON.stringify(tp, null, 2)) + '</pre>';
    paintChips();
    showDetails();
  }

  function openCluster(list) {
    hideTooltip();
    els['details-title'].textContent = list.length + ' touchpoints';
    var sorted = list.slice().sort(function (a, b) { return time(b) - time(a); });
    var shown = sorted.slice(0, 300);
    els['details-body'].innerHTML = '<p class="d-summary">' + esc(fmtDate(sorted[sorted.length - 1].occurredAt) + ' – ' + fmtDate(sorted[0].occurredAt)) + '</p>' +
      '<ul class="cluster-list">' + shown.map(function (tp) {
        return '<li><button type="button" data-open="' + esc(tp.touchpointId) + '"><span class="chip" data-c="' + esc(channelColor(tp.channel)) + '">' + esc(channelLabel(tp.channel)) + '</span> ' +
          esc(tp.summary) + '<span class="when">' + esc(fmtDateTime(tp.occurredAt)) + ' · ' + esc(tp.kind) + '</span></button></li>';
      }).join('') + '</ul>' + (sorted.length > shown.length ? '<p>… and ' + (sorted.length - shown.length) + ' more</p>' : '');
    paintChips();
    showDetails();
  }

  function paintChips() {
    Array.prototype.forEach.call(els['details-body'].querySelectorAll('.chip[data-c]'), function (chip) { chip.style.background = chip.getAttribute('data-c'); });
  }

  function showDetails() {
    els.details.hidden = false;
    els['details-close'].focus();
  }

  function closeDetails(restoreFocus) {
    if (els.details.hidden) { return; }
    els.details.hidden = true;
    if (restoreFocus !== false && lastOpener && document.body.contains(lastOpener)) { lastOpener.focus(); }
  }

  /** Arrow keys: left/right to the neighbouring marker in time, up/down to the nearest marker in the next lane. */
  function moveFocus(marker, key) {
    var all = Array.prototype.slice.call(els.map.querySelectorAll('.tp'));
    var i = all.indexOf(marker);
    if (i < 0) { return; }
    var next = null;
    if (key === 'ArrowRight') { next = all[i + 1]; }
    else if (key === 'ArrowLeft') { next = all[i - 1]; }
    else {
      var lanes = Array.prototype.map.call(els.map.querySelectorAll('.lane'), function (g) { return g.getAttribute('data-lane'); });
      var lane = lanes.indexOf(marker.getAttribute('data-lane')) + (key === 'ArrowDown' ? 1 : -1);
      if (lane < 0 || lane >= lanes.length) { return; }
      var cx = marker.getBoundingClientRect().left;
      var best = Infinity;
      all.forEach(function (m) {
        if (m.getAttribute('data-lane') !== lanes[lane]) { return; }
        var d = Math.abs(m.getBoundingClientRect().left - cx);
        if (d < best) { best = d; next = m; }
      });
    }
    if (next) { next.focus(); }
  }

  function wireChart(container) {
    container.addEventListener('mouseover', function (e) {
      var m = markerFrom(e.target);
      if (m) { showTooltip(m, e.clientX, e.clientY); }
    });
    container.addEventListener('mousemove', function (e) {
      var m = markerFrom(e.target);
      if (m) { showTooltip(m, e.clientX, e.clientY); } else { hideTooltip(); }
    });
    container.addEventListener('mouseleave', hideTooltip);
    container.addEventListener('click', function (e) {
      var m = markerFrom(e.target);
      if (m && m.hasAttribute('tabindex')) { openMarker(m); }
    });
    container.addEventListener('focusin', function (e) {
      var m = markerFrom(e.target);
      if (m) {
        var box = m.getBoundingClientRect();
        showTooltip(m, box.left + box.width / 2, box.bottom - 8);
      }
    });
    container.addEventListener('focusout', hideTooltip);
    container.addEventListener('keydown', function (e) {
      var m = markerFrom(e.target);
      if (!m || !m.hasAttribute('tabindex')) { return; }
      if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); openMarker(m); }
      else if (container === els.map && /^Arrow/.test(e.key)) { e.preventDefault(); moveFocus(m, e.key); }
    });
  }

  wireChart(els.map);
  wireChart(els.sentiment);

  els['details-body'].addEventListener('click', function (e) {
    var button = e.target.closest ? e.target.closest('[data-open]') : null;
    if (button && state) {
      var tp = state.byId.get(button.getAttribute('data-open'));
      if (tp) { openTouchpoint(tp); }
    }
  });
  els['details-close'].addEventListener('click', function () { closeDetails(true); });
  document.addEventListener('keydown', function (e) {
    if (e.key === 'Escape') {
      if (!els.details.hidden) { e.preventDefault(); closeDetails(true); }
      hideTooltip();
    }
  });
  els.search.addEventListener('submit', function (e) {
    e.preventDefault();
    if (els.q.value.trim()) { search(els.q.value); }
  });
  els.older.addEventListener('click', function () { loadOlder(false); });
  els.all.addEventListener('click', function () { loadOlder(true); });

  var resizeTimer = 0;
  window.addEventListener('resize', function () {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(render, 120);
  });

  // The segment map is a sibling page; the key travels along in the fragment.
  document.getElementById('to-segment-map').href = 'ui/journeys' + window.location.hash;

  var initial = params.get('customer') || params.get('q');
  if (initial) {
    els.q.value = initial;
    search(initial);
  }
})();
