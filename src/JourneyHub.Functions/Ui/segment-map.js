// The segment journey map: stage columns; rows touchpoints, emotions, pain points and KPIs; one or two segments side
// by side. Reads GET /api/journeys/map (and /map/customers for the drill-down) with the key from JourneyHubKey.
(function () {
  'use strict';

  var SVG = 'http://www.w3.org/2000/svg';
  var STAGES = ['awareness', 'consideration', 'decision', 'retention'];
  var KINDS = [['all', 'Everyone'], ['persona', 'Persona'], ['source', 'First-touch source'], ['channel', 'First-touch channel'], ['cohort', 'Cohort (YYYY-MM)'], ['converted', 'Converted (true/false)']];
  var W = 700, LABEL = 96, COL = (W - LABEL) / 4;
  var ROWS = { head: 0, touch: 70, emotion: 250, pain: 370, kpi: 470, end: 600 };
  var $ = function (id) { return document.getElementById(id); };
  var state = { maps: [] };

  function pad(n) { return n < 10 ? '0' + n : '' + n; }
  function isoDay(d) { return d.getUTCFullYear() + '-' + pad(d.getUTCMonth() + 1) + '-' + pad(d.getUTCDate()); }
  function pct(x) { return x === null || x === undefined ? '–' : Math.round(x * 1000) / 10 + '%'; }
  function num(x, digits) { return x === null || x === undefined ? '–' : Number(x).toFixed(digits === undefined ? 2 : digits); }

  function fillKinds(select, allowNone) {
    if (allowNone) { select.appendChild(new Option('— none —', '')); }
    KINDS.forEach(function (k) { select.appendChild(new Option(k[1], k[0])); });
  }

  function segmentOf(kind, value) {
    if (!kind) { return null; }
    return kind === 'all' ? 'all' : kind + ':' + value.trim();
  }

  function splitSegment(text) {
    if (!text || text === 'all') { return ['all', '']; }
    var colon = text.indexOf(':');
    return colon < 0 ? ['all', ''] : [text.slice(0, colon), text.slice(colon + 1)];
  }

  function api(path, params) {
    var url = new URL('../' + path, window.location.href);
    Object.keys(params).forEach(function (k) { url.searchParams.set(k, params[k]); });
    return JourneyHubKey.fetch(url.toString(), { headers: { accept: 'application/json' } }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (body) {
        if (!response.ok) {
          var error = new Error(body.title ? body.title + (body.detail ? ': ' + body.detail : '') : 'HTTP ' + response.status);
          error.status = response.status;
          throw error;
        }
        return body;
      });
    });
  }

  function el(name, attrs, text) {
    var node = document.createElementNS(SVG, name);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function text(parent, x, y, value, attrs) {
    var a = Object.assign({ x: x, y: y, 'font-size': 11, fill: '#0f172a' }, attrs || {});
    parent.appendChild(el('text', a, value));
  }

  function clip(value, max) { return value.length > max ? value.slice(0, max - 1) + '…' : value; }

  /** A focusable, clickable bar that opens the customers behind a touchpoint type or pain point. */
  function hit(parent, metric, label, segment) {
    var g = el('g', { 'class': 'hit', tabindex: '0', role: 'button', 'data-metric': metric, 'data-segment': segment, 'aria-label': label });
    g.appendChild(el('title', {}, label));
    g.addEventListener('click', function () { drill(segment, metric, label); });
    g.addEventListener('keydown', function (e) {
      if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); drill(segment, metric, label); }
    });
    parent.appendChild(g);
    return g;
  }

  function draw(report) {
    var svg = el('svg', { xmlns: SVG, viewBox: '0 0 ' + W + ' ' + ROWS.end, width: W, height: ROWS.end, role: 'img', 'font-family': 'system-ui, sans-serif', 'data-segment': report.segment });
    svg.appendChild(el('title', {}, 'Journey map of ' + report.segment));
    svg.appendChild(el('rect', { x: 0, y: 0, width: W, height: ROWS.end, fill: '#ffffff' }));
    [['touch', 'Touchpoints'], ['emotion', 'Emotions'], ['pain', 'Pain points'], ['kpi', 'KPIs']].forEach(function (row) {
      svg.appendChild(el('line', { x1: 0, x2: W, y1: ROWS[row[0]], y2: ROWS[row[0]], stroke: '#cbd5e1' }));
      text(svg, 4, ROWS[row[0]] + 16, row[1], { 'font-weight': 700, 'font-size': 12 });
    });

    report.stages.forEach(function (s, i) {
      var x = LABEL + i * COL;
      var col = el('g', { 'class': 'stage', 'data-stage': s.stage, 'data-reached': s.reached });
      svg.appendChild(col);
      col.appendChild(el('rect', { x: x + 2, y: 4, width: COL - 4, height: 58, rx: 6, fill: ['#dbeafe', '#e0e7ff', '#dcfce7', '#fef9c3'][i] }));
      text(col, x + 8, 20, s.stage.charAt(0).toUpperCase() + s.stage.slice(1), { 'font-weight': 700, 'font-size': 13 });
      text(col, x + 8, 36, s.reached + ' reached · ' + (s.medianDaysInStage === null ? '–' : num(s.medianDaysInStage, 1) + ' d in stage'), { 'font-size': 10 });
      if (s.conversion) {
        text(col, x + 8, 52, '→ ' + s.conversion.count + ' (' + pct(s.conversion.rate) + ')' + (s.conversion.medianDays === null ? '' : ' in ' + num(s.conversion.medianDays, 1) + ' d'), { 'font-size': 10 });
      }

      // Touchpoints: the top five channel × action with their share; direct / indirect split.
      var top = s.topTouchpoints.slice(0, 5);
      var maxCount = top.reduce(function (m, t) { return Math.max(m, t.count); }, 1);
      top.forEach(function (t, j) {
        var y = ROWS.touch + 24 + j * 28;
        var label = t.channel + ' · ' + t.action + ': ' + t.count + ' (' + pct(t.share) + ') in ' + s.stage;
        var g = hit(col, t.metric, label, report.segment);
        g.appendChild(el('rect', { 'class': 'bar', x: x + 6, y: y, width: Math.max(4, (COL - 14) * t.count / maxCount), height: 22, rx: 3, fill: '#bfdbfe' }));
        text(g, x + 10, y + 15, clip(t.channel + ' · ' + t.action, 19) + '  ' + t.count);
      });
      var kinds = s.direct + s.indirect;
      text(col, x + 8, ROWS.emotion - 10, 'direct ' + s.direct + ' · indirect ' + s.indirect + (kinds ? ' (' + pct(s.indirect / kinds) + ')' : ''), { fill: '#475569' });

      // Emotions: shares of negative / neutral / positive as a stacked bar.
      var e = s.emotions;
      var barY = ROWS.pain - 22, barW = COL - 16;
      if (e.responses > 0) {
        var shares = [[e.negativeShare, '#fca5a5'], [e.neutralShare, '#e2e8f0'], [e.positiveShare, '#86efac']];
        var at = x + 8;
        shares.forEach(function (sh) {
          var w = barW * (sh[0] || 0);
          col.appendChild(el('rect', { x: at, y: barY, width: w, height: 10, fill: sh[1] }));
          at += w;
        });
        text(col, x + 8, barY - 4, 'mean ' + num(e.mean) + ' ± ' + num(e.spread) + ' (' + e.responses + ')', { 'font-size': 10 });
      } else {
        text(col, x + 8, barY + 8, 'no sentiment', { fill: '#94a3b8', 'font-size': 10 });
      }

      // Pain points: the actions that most often mark a drop into negative sentiment.
      s.painPoints.slice(0, 3).forEach(function (p, j) {
        var y = ROWS.pain + 24 + j * 26;
        var label = 'Pain point ' + p.action + ': ' + p.count + ' in ' + s.stage;
        var g = hit(col, p.metric, label, report.segment);
        g.appendChild(el('rect', { 'class': 'bar', x: x + 6, y: y, width: COL - 12, height: 21, rx: 3, fill: '#fee2e2' }));
        text(g, x + 10, y + 15, clip(p.action, 20) + '  ×' + p.count, { fill: '#7f1d1d' });
      });
      if (s.painPoints.length === 0) { text(col, x + 8, ROWS.pain + 38, 'none', { fill: '#94a3b8' }); }

      // KPIs per stage: NPS and CSAT of the answers given in it, touchpoints.
      text(col, x + 8, ROWS.kpi + 36, 'NPS ' + (s.nps.score === null ? '–' : s.nps.score) + ' (' + s.nps.responses + ')');
      text(col, x + 8, ROWS.kpi + 54, 'CSAT ' + (s.csat.average === null ? '–' : s.csat.average) + ' (' + s.csat.responses + ')');
      text(col, x + 8, ROWS.kpi + 72, s.touchpoints + ' touchpoints', { fill: '#475569' });
    });

    // The emotion curve: mean sentiment per stage (−1 … 1) with a band of ± one spread.
    var top = ROWS.emotion + 30, bottom = ROWS.pain - 40;
    var y = function (v) { return top + (1 - Math.max(-1, Math.min(1, v))) / 2 * (bottom - top); };
    svg.appendChild(el('line', { x1: LABEL, x2: W, y1: y(0), y2: y(0), stroke: '#94a3b8', 'stroke-dasharray': '3 3' }));
    text(svg, 4, y(1) + 10, '+1', { fill: '#475569', 'font-size': 10 });
    text(svg, 4, y(0) + 4, '0', { fill: '#475569', 'font-size': 10 });
    text(svg, 4, y(-1), '−1', { fill: '#475569', 'font-size': 10 });
    var points = report.stages.map(function (s, i) { return { x: LABEL + i * COL + COL / 2, e: s.emotions }; }).filter(function (p) { return p.e.mean !== null; });
    if (points.length > 0) {
      var upper = points.map(function (p) { return p.x + ',' + y(p.e.mean + p.e.spread); });
      var lower = points.slice().reverse().map(function (p) { return p.x + ',' + y(p.e.mean - p.e.spread); });
      svg.appendChild(el('polygon', { 'class': 'band', points: upper.concat(lower).join(' '), fill: '#93c5fd', 'fill-opacity': 0.35 }));
      svg.appendChild(el('polyline', { 'class': 'curve', points: points.map(function (p) { return p.x + ',' + y(p.e.mean); }).join(' '), fill: 'none', stroke: '#1d4ed8', 'stroke-width': 2.5 }));
      points.forEach(function (p) { svg.appendChild(el('circle', { cx: p.x, cy: y(p.e.mean), r: 4, fill: p.e.mean < 0 ? '#b91c1c' : '#1d4ed8' })); });
    }

    var k = report.kpis;
    var money = k.value.map(function (v) { return v.currency + ' AOV ' + num(v.averageOrderValue) + ' · LTV ' + num(v.lifetimeValue); }).join('   ');
    text(svg, LABEL + 8, ROWS.kpi + 90, k.customers + ' customers · converted ' + pct(k.conversionRate) + ' in ' + (k.medianDaysToConvert === null ? '–' : num(k.medianDaysToConvert, 1)) + ' d (median) · churn risk high ' + pct(k.churnRiskShare), { 'font-weight': 600 });
    if (money) { text(svg, LABEL + 8, ROWS.kpi + 110, money, { fill: '#475569' }); }
    return svg;
  }

  function csv(report) {
    var lines = [['segment', 'stage', 'figure', 'value']];
    var add = function (stage, figure, value) { lines.push([report.segment, stage, figure, value === null || value === undefined ? '' : value]); };
    report.stages.forEach(function (s) {
      add(s.stage, 'reached', s.reached);
      if (s.conversion) {
        add(s.stage, 'converted to ' + s.conversion.to, s.conversion.count);
        add(s.stage, 'conversion rate', s.conversion.rate);
        add(s.stage, 'median days to next stage', s.conversion.medianDays);
      }
      add(s.stage, 'median days in stage', s.medianDaysInStage);
      add(s.stage, 'touchpoints', s.touchpoints);
      add(s.stage, 'direct', s.direct);
      add(s.stage, 'indirect', s.indirect);
      s.topTouchpoints.forEach(function (t) { add(s.stage, 'touchpoint ' + t.channel + ' ' + t.action, t.count); });
      add(s.stage, 'sentiment mean', s.emotions.mean);
      add(s.stage, 'sentiment spread', s.emotions.spread);
      add(s.stage, 'negative share', s.emotions.negativeShare);
      add(s.stage, 'neutral share', s.emotions.neutralShare);
      add(s.stage, 'positive share', s.emotions.positiveShare);
      s.painPoints.forEach(function (p) { add(s.stage, 'pain point ' + p.action, p.count); });
      add(s.stage, 'NPS', s.nps.score);
      add(s.stage, 'NPS responses', s.nps.responses);
      add(s.stage, 'CSAT', s.csat.average);
      add(s.stage, 'CSAT responses', s.csat.responses);
    });
    var k = report.kpis;
    add('all stages', 'customers', k.customers);
    add('all stages', 'conversion rate', k.conversionRate);
    add('all stages', 'median days to convert', k.medianDaysToConvert);
    add('all stages', 'churn risk share (high)', k.churnRiskShare);
    k.value.forEach(function (v) {
      add('all stages', 'average order value ' + v.currency, v.averageOrderValue);
      add('all stages', 'lifetime value ' + v.currency, v.lifetimeValue);
    });
    return lines.map(function (line) {
      return line.map(function (cell) {
        var c = String(cell);
        return /[",\n]/.test(c) ? '"' + c.replace(/"/g, '""') + '"' : c;
      }).join(',');
    }).join('\r\n') + '\r\n';
  }

  function download(name, href) {
    var a = document.createElement('a');
    a.href = href;
    a.download = name;
    document.body.appendChild(a);
    a.click();
    a.remove();
  }

  function fileName(report, ext) { return 'journey-map-' + report.segment.replace(/[^A-Za-z0-9_-]+/g, '-') + '.' + ext; }

  function svgText(svg) { return '<?xml version="1.0" encoding="UTF-8"?>\n' + new XMLSerializer().serializeToString(svg); }

  function exportPng(report, svg) {
    var image = new Image();
    image.onload = function () {
      var canvas = document.createElement('canvas');
      canvas.width = W * 2;
      canvas.height = ROWS.end * 2;
      var context = canvas.getContext('2d');
      context.scale(2, 2);
      context.drawImage(image, 0, 0, W, ROWS.end);
      download(fileName(report, 'png'), canvas.toDataURL('image/png'));
    };
    image.src = 'data:image/svg+xml;charset=utf-8,' + encodeURIComponent(svgText(svg));
  }

  function render(reports) {
    var maps = $('maps');
    maps.textContent = '';
    state.maps = reports;
    reports.forEach(function (report) {
      var article = document.createElement('article');
      article.className = 'segment-map';
      article.setAttribute('data-segment', report.segment);
      var h = document.createElement('h2');
      h.textContent = report.segment === 'all' ? 'Everyone' : report.segment;
      article.appendChild(h);
      var kpis = document.createElement('p');
      kpis.className = 'kpis';
      kpis.textContent = report.kpis.customers + ' customers first seen in the window; ' + report.stages[0].reached + ' reached awareness, ' + report.stages[3].reached + ' retention.';
      article.appendChild(kpis);
      var scroll = document.createElement('div');
      scroll.className = 'scroll';
      var svg = draw(report);
      scroll.appendChild(svg);
      article.appendChild(scroll);
      var exports = document.createElement('div');
      exports.className = 'exports';
      [['SVG', function () { download(fileName(report, 'svg'), 'data:image/svg+xml;charset=utf-8,' + encodeURIComponent(svgText(svg))); }],
       ['PNG', function () { exportPng(report, svg); }],
       ['CSV', function () { download(fileName(report, 'csv'), 'data:text/csv;charset=utf-8,' + encodeURIComponent(csv(report))); }]].forEach(function (e) {
        var b = document.createElement('button');
        b.type = 'button';
        b.className = 'secondary';
        b.textContent = 'Export ' + e[0];
        b.setAttribute('data-export', e[0].toLowerCase());
        b.addEventListener('click', e[1]);
        exports.appendChild(b);
      });
      article.appendChild(exports);
      maps.appendChild(article);
    });
    maps.setAttribute('data-loaded', String(reports.length));
  }

  function window_() { return { from: $('from').value, to: $('to').value }; }

  function load() {
    var a = segmentOf($('a-kind').value, $('a-value').value) || 'all';
    var b = segmentOf($('b-kind').value, $('b-value').value);
    var w = window_();
    var search = new URLSearchParams({ from: w.from, to: w.to, a: a });
    if (b) { search.set('b', b); }
    JourneyHubKey.replaceQuery(search);
    var status = $('status');
    status.className = 'status';
    status.textContent = 'Loading…';
    $('maps').setAttribute('data-loaded', '0');
    var segments = b ? [a, b] : [a];
    return Promise.all(segments.map(function (segment) { return api('journeys/map', { from: w.from, to: w.to, segment: segment }); }))
      .then(function (reports) {
        render(reports);
        status.textContent = 'Map of ' + segments.join(' and ') + ', first time in each stage from ' + w.from + ' until ' + w.to + '. Select a touchpoint type or pain point to see the customers behind it.';
      })
      .catch(function (error) {
        status.className = 'status error';
        status.textContent = error.status === 401
          ? 'The hub refused the key: open this page with #code=<function key> at the end of its address.'
          : 'Could not draw the map: ' + error.message;
      });
  }

  function customerMapLink(customerId) {
    var hash = window.location.hash;
    return '../ui?customer=' + encodeURIComponent(customerId) + hash;
  }

  function drill(segment, metric, label) {
    var panel = $('drill');
    var list = $('drill-list');
    var status = $('drill-status');
    panel.hidden = false;
    $('drill-title').textContent = label + ' — ' + segment;
    list.textContent = '';
    status.className = 'status';
    status.textContent = 'Loading customers…';
    var w = window_();
    return api('journeys/map/customers', { from: w.from, to: w.to, segment: segment, metric: metric, limit: 100 }).then(function (answer) {
      answer.customers.forEach(function (c) {
        var li = document.createElement('li');
        var a = document.createElement('a');
        a.href = customerMapLink(c.customerId);
        a.textContent = c.customerId;
        li.appendChild(a);
        li.appendChild(document.createTextNode(' · ' + c.count + (c.count === 1 ? ' time' : ' times')));
        list.appendChild(li);
      });
      status.textContent = answer.customers.length + (answer.more ? '+' : '') + ' customers; each opens their own journey map.';
      panel.setAttribute('data-count', String(answer.customers.length));
      var first = list.querySelector('a');
      (first || $('drill-close')).focus();
    }).catch(function (error) {
      status.className = 'status error';
      status.textContent = 'Could not list the customers: ' + error.message;
    });
  }

  function init() {
    fillKinds($('a-kind'), false);
    fillKinds($('b-kind'), true);
    var query = new URLSearchParams(window.location.search);
    var today = new Date();
    var tomorrow = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate() + 1));
    $('to').value = query.get('to') || isoDay(tomorrow);
    $('from').value = query.get('from') || isoDay(new Date(tomorrow.getTime() - 365 * 864e5));
    var a = splitSegment(query.get('a'));
    $('a-kind').value = a[0];
    $('a-value').value = a[1];
    if (query.get('b')) {
      var b = splitSegment(query.get('b'));
      $('b-kind').value = b[0];
      $('b-value').value = b[1];
    }
    $('to-customer-map').href = '../ui' + window.location.hash;
    $('controls').addEventListener('submit', function (e) { e.preventDefault(); load(); });
    $('drill-close').addEventListener('click', function () { $('drill').hidden = true; $('maps').focus(); });
    document.addEventListener('keydown', function (e) {
      if (e.key === 'Escape' && !$('drill').hidden) { $('drill').hidden = true; $('maps').focus(); }
    });
    // Without a key the map still loads where the host checks none (the local host by default); a 401 says what to do.
    load();
  }

  init();
})();
