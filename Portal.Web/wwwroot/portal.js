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
