// Small progressive enhancements; every page works without them.

// Time-zone fields left empty get the browser's own zone, so nobody has to look theirs up.
function portalFillTimeZones() {
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (!zone) return;
  document.querySelectorAll('[data-browser-time-zone]').forEach(field => {
    if (!field.value) {
      field.value = zone;
    }
  });
}

document.addEventListener('DOMContentLoaded', portalFillTimeZones);
if (window.Blazor) {
  // Enhanced navigation swaps pages without a DOMContentLoaded event.
  Blazor.addEventListener('enhancedload', portalFillTimeZones);
}

// Printing: a closed <details> prints only its summary, which would leave out the reasons
// ("Why you see this"), the sources and the score tables. Open them all for the print and
// close again afterwards those that were closed. (app.css does the same with print CSS.)
let portalOpenedForPrint = [];
window.addEventListener('beforeprint', () => {
  portalOpenedForPrint = [...document.querySelectorAll('details:not([open])')];
  portalOpenedForPrint.forEach(d => { d.open = true; });
});
window.addEventListener('afterprint', () => {
  portalOpenedForPrint.forEach(d => { d.open = false; });
  portalOpenedForPrint = [];
});

// Error summary links lead to the field itself (GOV.UK): move the focus there, not only the view.
document.addEventListener('click', event => {
  const link = event.target instanceof Element ? event.target.closest('.error-summary a[href*="#"]') : null;
  if (!link || link.pathname !== location.pathname || link.search !== location.search) return;
  const target = document.getElementById(decodeURIComponent(link.hash.slice(1)));
  if (target) {
    target.focus({ preventScroll: true });
    target.scrollIntoView({ block: 'center' });
  }
});

// Print buttons and "Back" links: here, not in inline handlers or javascript: links, which the
// Content-Security-Policy refuses. Without history (a link opened in a new tab) "Back" follows
// its href, the start page. Blazor leaves these links alone (data-enhance-nav="false").
document.addEventListener('click', event => {
  const target = event.target instanceof Element ? event.target : null;
  if (target?.closest('[data-print]')) {
    window.print();
    return;
  }

  if (target?.closest('a[data-back]') && history.length > 1) {
    event.preventDefault();
    history.back();
  }
});
