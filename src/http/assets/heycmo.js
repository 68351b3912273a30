/* heycmo analytics: no cookies, no storage. <script defer src=".../js/heycmo.js" data-site="site_…"></script> */
(function () {
  var script = document.currentScript;
  if (!script) return;
  var site = script.getAttribute('data-site');
  var endpoint = script.getAttribute('data-api') || new URL(script.src).origin + '/api/collect';
  var last;
  function send(event, props, email) {
    var body = { site: site, url: location.href, width: window.innerWidth };
    if (document.referrer) body.referrer = document.referrer;
    if (event) body.event = event;
    if (props) body.props = props;
    if (email) body.email = email;
    var data = JSON.stringify(body);
    // A string is sent as text/plain, which needs no CORS preflight.
    if (navigator.sendBeacon && navigator.sendBeacon(endpoint, data)) return;
    fetch(endpoint, { method: 'POST', body: data, keepalive: true, credentials: 'omit' });
  }
  function pageview() {
    if (location.href === last) return;
    last = location.href;
    send();
  }
  var queued = (window.heycmo && window.heycmo.q) || [];
  window.heycmo = function (name, arg) {
    if (name === 'identify') send('identify', null, arg);
    else send(name, arg);
  };
  var push = history.pushState;
  if (push) {
    history.pushState = function () {
      push.apply(this, arguments);
      pageview();
    };
    addEventListener('popstate', pageview);
  }
  // The pageview first: calls made before the script loaded belong to the visit it begins.
  pageview();
  for (var i = 0; i < queued.length; i++) window.heycmo.apply(null, queued[i]);
})();
