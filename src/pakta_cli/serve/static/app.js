// pakta serve: the upload page without a button press. Choosing or dropping a file sends the form;
// a file over the size limit is refused here before it travels. Without this script the form
// still works with its button. No text from the server is ever written as HTML.
"use strict";
document.documentElement.classList.add("js");
document.addEventListener("DOMContentLoaded", function () {
  var form = document.getElementById("upload");
  var input = document.getElementById("file");
  if (!form || !input) { return; }
  var drop = form.querySelector(".drop");
  var busy = document.getElementById("busy");
  var tooLarge = document.getElementById("too-large");
  var limit = parseInt(form.getAttribute("data-max"), 10);

  function send() {
    var file = input.files && input.files[0];
    if (!file) { return; }
    if (limit && file.size > limit) {
      tooLarge.hidden = false;
      input.value = "";
      return;
    }
    tooLarge.hidden = true;
    busy.hidden = false;
    form.submit();
  }

  input.addEventListener("change", send);
  ["dragenter", "dragover"].forEach(function (name) {
    drop.addEventListener(name, function (event) { event.preventDefault(); drop.classList.add("over"); });
  });
  ["dragleave", "drop"].forEach(function (name) {
    drop.addEventListener(name, function () { drop.classList.remove("over"); });
  });
  drop.addEventListener("drop", function (event) {
    event.preventDefault();
    if (event.dataTransfer && event.dataTransfer.files.length) {
      input.files = event.dataTransfer.files;
      send();
    }
  });
});
