// JourneyHubKey: how every JourneyHub page gets the function key and sends it. UiPage inlines this file before
// each page's own script, so all pages share it.
//
// The key is read from the URL fragment (#code=<key>). Browsers never send a fragment to a server, so the key
// stays out of request lines, access logs, proxies and Referer headers; requests carry it in the
// x-functions-key header, never in a query string. The old ?code=<key> still works for this release: it is moved
// into the fragment at once (address bar, history and bookmarks stop carrying it) and a console warning says so.
var JourneyHubKey = (function () {
  'use strict';

  var fragment = new URLSearchParams(window.location.hash.replace(/^#/, ''));
  var query = new URLSearchParams(window.location.search);
  var key = fragment.get('code');
  if (query.has('code')) {
    if (!key) {
      key = query.get('code');
      fragment.set('code', key);
    }
    query.delete('code');
    window.history.replaceState(null, '', address(query));
    console.warn('JourneyHub: a function key in the page address (?code=) is deprecated and stops working in the next ' +
      'release. Open the page with #code=<key> instead: a URL fragment is never sent to the server, so the key stays out of its logs.');
  }

  function address(search) {
    var qs = search.toString();
    var hash = fragment.toString();
    return window.location.pathname + (qs ? '?' + qs : '') + (hash ? '#' + hash : '');
  }

  return {
    /** fetch() against the hub's API with the key in the x-functions-key header. */
    fetch: function (url, init) {
      var options = Object.assign({}, init || {});
      var headers = new Headers(options.headers || {});
      if (key) { headers.set('x-functions-key', key); }
      options.headers = headers;
      options.referrerPolicy = 'no-referrer';
      return window.fetch(url, options);
    },
    /** Sets the page's query string (e.g. the item shown, for reloads and bookmarks), keeping the key in the fragment. */
    replaceQuery: function (search) {
      var next = new URLSearchParams(search);
      next.delete('code');
      window.history.replaceState(null, '', address(next));
    },
    /** Whether the page was opened with a key. */
    hasKey: function () { return !!key; }
  };
})();
