// "Use my GPS position" on the household and field forms: fill latitude, longitude and accuracy from the
// tablet. A file rather than an inline script, so the Content-Security-Policy can refuse inline scripts.
(function () {
  var button = document.getElementById("use-gps");
  if (!button || !navigator.geolocation) return;
  button.addEventListener("click", function () {
    navigator.geolocation.getCurrentPosition(function (pos) {
      document.getElementById("id_latitude").value = pos.coords.latitude.toFixed(6);
      document.getElementById("id_longitude").value = pos.coords.longitude.toFixed(6);
      document.getElementById("id_location_accuracy_m").value = Math.round(pos.coords.accuracy);
    });
  });
})();
