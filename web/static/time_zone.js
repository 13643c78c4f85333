// The browser's time zone, for the server to show dates in (web/time_zone.py reads the cookie).
(function () {
  try {
    var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (!zone) return;
    var secure = location.protocol === "https:" ? "; secure" : "";
    document.cookie = "prm_tz=" + encodeURIComponent(zone) + "; path=/; max-age=31536000; samesite=lax" + secure;
  } catch (e) { /* an old browser without Intl: the server's default zone, named, is shown */ }
})();
