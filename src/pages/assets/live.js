(function () {
  'use strict';
  // Everything the stream says is put in the page as text, never as markup.
  var target = new URLSearchParams(location.search).get('url');
  var status = document.getElementById('status');
  if (!target) {
    status.textContent = 'Enter the address of a public page to audit it.';
    return;
  }
  var rank = { critical: 0, high: 1, medium: 2, low: 3 };
  var failed = [];
  var passed = 0;
  var ended = false;

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function show(id) { document.getElementById(id).hidden = false; }

  function addFailure(finding) {
    // Failures stay ordered by severity, the most serious first, as they arrive.
    var at = 0;
    while (at < failed.length && rank[failed[at]] <= rank[finding.severity]) at++;
    failed.splice(at, 0, finding.severity);
    var item = el('li');
    item.appendChild(el('strong', 'sev-' + finding.severity, finding.title));
    item.appendChild(el('div', 'meta', finding.severity + ' · ' + finding.category + ' · ' + finding.id));
    if (finding.evidence) item.appendChild(el('p', 'evidence', 'Seen: ' + finding.evidence));
    if (finding.fix) item.appendChild(el('p', 'fix', 'Fix: ' + finding.fix));
    var list = document.getElementById('failed-list');
    list.insertBefore(item, list.children[at] || null);
    document.getElementById('failed-count').textContent = '(' + failed.length + ')';
    show('failures');
  }
  function addPass(finding) {
    passed++;
    var item = el('li', '', finding.title);
    if (finding.evidence) item.title = finding.evidence;
    document.getElementById('passed-list').appendChild(item);
    document.getElementById('passed-count').textContent = '(' + passed + ')';
    show('passes');
  }
  function addScore(label, value, note) {
    var card = el('div', 'score');
    card.appendChild(el('small', '', label));
    card.appendChild(el('b', '', String(value)));
    if (note) card.appendChild(el('small', '', note));
    document.getElementById('score-list').appendChild(card);
  }

  status.textContent = 'Connecting…';
  var path = location.pathname + '?url=' + encodeURIComponent(target);
  var source = new EventSource(path);
  source.addEventListener('start', function (event) {
    status.textContent = 'Auditing ' + JSON.parse(event.data).url + '…';
  });
  source.addEventListener('finding', function (event) {
    var finding = JSON.parse(event.data);
    if (finding.passed) addPass(finding); else addFailure(finding);
  });
  source.addEventListener('summary', function (event) {
    ended = true;
    source.close();
    var summary = JSON.parse(event.data);
    var names = { seo: 'SEO & GEO', cro: 'Conversion' };
    var labels = { seo: 'SEO', geo: 'GEO (AI answers)', performance: 'Performance', accessibility: 'Accessibility', conversion: 'Conversion' };
    Object.keys(names).forEach(function (kind) {
      var report = summary[kind];
      if (!report) return;
      addScore(names[kind], report.scores.overall, report.failed + ' to fix, ' + report.passed + ' passed');
      var categories = Object.keys(report.scores.categories);
      // A report of one category (conversion) already shows it as its overall score.
      if (categories.length < 2) return;
      categories.forEach(function (category) {
        addScore(labels[category] || category, report.scores.categories[category]);
      });
    });
    show('scores');
    status.textContent = summary.notAudited
      ? 'Not audited as a page: ' + summary.notAudited + '.'
      : 'Audited ' + (summary.finalUrl || summary.url) + ' in ' + (summary.durationMs / 1000).toFixed(1) + ' s.';
  });
  // A server-sent `error` event carries the error body; the browser's own `error` event (a
  // refused or dropped connection) carries none.
  source.addEventListener('error', function (event) {
    source.close();
    if (ended) return;
    ended = true;
    status.className = 'error';
    if (event.data) {
      var body = JSON.parse(event.data);
      status.textContent = body.error + ' (' + body.code + ')';
    } else {
      status.textContent = 'The audit stream could not be opened or was cut off. Audits from one address are limited per minute: wait a minute and try again.';
    }
  });
})();
