/* nnlab.js: the book's pages compute (issue 21). No framework, no build step.
 *
 * Made by course_lib/lab.py, which inlines this file once per page together with the
 * chapter's weights and digits (base64 of gzip, unpacked by the browser's own
 * DecompressionStream), so the labs work from file:// with the network off.
 *
 *   math    preprocess (MNIST-style: fit a 20 x 20 box, centre by centre of mass),
 *           softmax, forward passes, the SGD step of course_lib.train, torch's
 *           randperm (mt19937), random shifts: pure functions, tested by tests/js/.
 *   labs    draw (chapter 1), train (chapter 1), hidden and ablation (chapters 2, 3).
 *
 * A classic script: it defines the global NNLab in a page and module.exports in Node.
 */
(function (root) {
  "use strict";
  var SIDE = 28, D = 784;

  // ------------------------------------------------------------------ math
  function softmax(z) {
    var m = -Infinity, i, s = 0, p = new Float64Array(z.length);
    for (i = 0; i < z.length; i++) m = Math.max(m, z[i]);
    for (i = 0; i < z.length; i++) { p[i] = Math.exp(z[i] - m); s += p[i]; }
    for (i = 0; i < z.length; i++) p[i] /= s;
    return p;
  }

  function argmax(z) {
    var best = 0;
    for (var i = 1; i < z.length; i++) if (z[i] > z[best]) best = i;
    return best;
  }

  /** z = W x + b for W (rows, cols) row-major; x dense, or its nonzero indices nz (optional). */
  function affine(W, b, x, rows, cols, nz) {
    var z = new Float64Array(rows), r, k, s, o;
    for (r = 0; r < rows; r++) {
      s = b[r]; o = r * cols;
      if (nz) for (k = 0; k < nz.length; k++) s += W[o + nz[k]] * x[nz[k]];
      else for (k = 0; k < cols; k++) s += W[o + k] * x[k];
      z[r] = s;
    }
    return z;
  }

  var ACT = {
    sigmoid: function (v) { return 1 / (1 + Math.exp(-v)); },
    tanh: Math.tanh,
    relu: function (v) { return v > 0 ? v : 0; },
    identity: function (v) { return v; }
  };

  /** A 784-H-10 network {W1, b1, W2, b2, hidden, activation}: hidden activations h and logits. */
  function mlpForward(net, x, mask) {
    var h = affine(net.W1, net.b1, x, net.hidden, D, nonzero(x)), f = ACT[net.activation];
    for (var j = 0; j < h.length; j++) h[j] = mask && !mask[j] ? 0 : f(h[j]);
    return { h: h, logits: affine(net.W2, net.b2, h, 10, net.hidden) };
  }

  function nonzero(x) {
    var out = [];
    for (var i = 0; i < x.length; i++) if (x[i] !== 0) out.push(i);
    return out;
  }

  /** Box-filter weights from n source cells onto m target cells: list of [target, source, weight]. */
  function boxWeights(n, m) {
    var out = [], scale = n / m;
    for (var t = 0; t < m; t++) {
      var a = t * scale, b = (t + 1) * scale;
      for (var s = Math.floor(a); s < Math.min(n, Math.ceil(b)); s++) {
        var w = Math.min(b, s + 1) - Math.max(a, s);
        if (w > 1e-12) out.push([t, s, w / scale]);
      }
    }
    return out;
  }

  /** MNIST-style input from a grey raster (values 0..1, width w, height h), as MNIST was made:
   *  the ink's bounding box is scaled to fit a 20 x 20 box (aspect kept, area-averaged),
   *  then placed in 28 x 28 so that its centre of mass is at the centre. Returns Float64Array(784). */
  function preprocess(raster, w, h, threshold) {
    threshold = threshold === undefined ? 0.05 : threshold;
    var x0 = w, x1 = -1, y0 = h, y1 = -1, i, j;
    for (i = 0; i < h; i++) for (j = 0; j < w; j++) if (raster[i * w + j] > threshold) {
      if (j < x0) x0 = j; if (j > x1) x1 = j; if (i < y0) y0 = i; if (i > y1) y1 = i;
    }
    var out = new Float64Array(D);
    if (x1 < 0) return out;
    var bw = x1 - x0 + 1, bh = y1 - y0 + 1, s = 20 / Math.max(bw, bh);
    var tw = Math.max(1, Math.round(bw * s)), th = Math.max(1, Math.round(bh * s));
    var wx = boxWeights(bw, tw), wy = boxWeights(bh, th), tmp = new Float64Array(bh * tw), small = new Float64Array(th * tw);
    for (i = 0; i < bh; i++) for (var k = 0; k < wx.length; k++)
      tmp[i * tw + wx[k][0]] += wx[k][2] * raster[(y0 + i) * w + x0 + wx[k][1]];
    for (k = 0; k < wy.length; k++) for (j = 0; j < tw; j++)
      small[wy[k][0] * tw + j] += wy[k][2] * tmp[wy[k][1] * tw + j];
    var mass = 0, cx = 0, cy = 0;
    for (i = 0; i < th; i++) for (j = 0; j < tw; j++) {
      var v = Math.min(1, Math.max(0, small[i * tw + j])); small[i * tw + j] = v;
      mass += v; cx += v * j; cy += v * i;
    }
    var ox = Math.round(13.5 - cx / mass), oy = Math.round(13.5 - cy / mass);
    for (i = 0; i < th; i++) for (j = 0; j < tw; j++) {
      var r = i + oy, c = j + ox;
      if (r >= 0 && r < SIDE && c >= 0 && c < SIDE) out[r * SIDE + c] = small[i * tw + j];
    }
    return out;
  }

  /** The mt19937 generator, seeded as std::mt19937(seed) (PyTorch's CPU generator). */
  function MT19937(seed) {
    var mt = new Uint32Array(624), idx = 624;
    mt[0] = seed >>> 0;
    for (var i = 1; i < 624; i++) {
      var p = mt[i - 1] ^ (mt[i - 1] >>> 30);
      mt[i] = (Math.imul(1812433253, p) + i) >>> 0;
    }
    this.next = function () {
      if (idx >= 624) {
        for (var k = 0; k < 624; k++) {
          var y = (mt[k] & 0x80000000) | (mt[(k + 1) % 624] & 0x7fffffff);
          mt[k] = mt[(k + 397) % 624] ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0);
        }
        idx = 0;
      }
      var v = mt[idx++];
      v ^= v >>> 11; v ^= (v << 7) & 0x9d2c5680; v ^= (v << 15) & 0xefc60000; v ^= v >>> 18;
      return v >>> 0;
    };
  }

  /** torch.randperm(n, generator=g) on the CPU: Fisher-Yates with g.random() % (n - i). */
  function randperm(n, gen) {
    var r = new Int32Array(n), i;
    for (i = 0; i < n; i++) r[i] = i;
    for (i = 0; i < n - 1; i++) {
      var z = gen.next() % (n - i), t = r[i]; r[i] = r[z + i]; r[z + i] = t;
    }
    return r;
  }

  /** A small seeded generator for the shifts (mulberry32; not NumPy's, so shifts differ from Python's). */
  function mulberry32(seed) {
    var a = seed >>> 0;
    return function () {
      a = (a + 0x6D2B79F5) >>> 0;
      var t = Math.imul(a ^ (a >>> 15), 1 | a);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }

  /** Move every image (rows of X, n x 784) by its own random offset in -k..k each way; ink shifted out is lost. */
  function shiftImages(X, n, k, seed) {
    var out = new Float32Array(X.length);
    if (k === 0) { out.set(X); return out; }
    var rand = mulberry32(seed);
    for (var m = 0; m < n; m++) {
      var dy = Math.floor(rand() * (2 * k + 1)) - k, dx = Math.floor(rand() * (2 * k + 1)) - k, o = m * D;
      for (var i = 0; i < SIDE; i++) for (var j = 0; j < SIDE; j++) {
        var si = i - dy, sj = j - dx;
        if (si >= 0 && si < SIDE && sj >= 0 && sj < SIDE) out[o + i * SIDE + j] = X[o + si * SIDE + sj];
      }
    }
    return out;
  }

  /** Digits as a dense Float32Array (n x 784) plus the nonzero pixels of each row (CSR). */
  function Digits(X, y, n) {
    this.X = X; this.y = y; this.n = n;
    var starts = new Int32Array(n + 1), idx = [];
    for (var m = 0; m < n; m++) {
      for (var i = 0; i < D; i++) if (X[m * D + i] !== 0) idx.push(i);
      starts[m + 1] = idx.length;
    }
    this.starts = starts; this.idx = Int32Array.from(idx);
  }

  /** Logits of logistic regression (W 10 x 784, b 10) for digit m of ds into z (Float64Array(10)). */
  function logregScores(W, b, ds, m, z) {
    var o = m * D, s0 = ds.starts[m], s1 = ds.starts[m + 1];
    for (var c = 0; c < 10; c++) {
      var s = b[c], wo = c * D;
      for (var k = s0; k < s1; k++) { var i = ds.idx[k]; s += W[wo + i] * ds.X[o + i]; }
      z[c] = s;
    }
    return z;
  }

  function logregAccuracy(W, b, ds) {
    var z = new Float64Array(10), right = 0;
    for (var m = 0; m < ds.n; m++) if (argmax(logregScores(W, b, ds, m, z)) === ds.y[m]) right++;
    return right / ds.n;
  }

  /** One step of course_lib.train for logistic regression on the digits order[start:end]:
   *  loss = mean cross-entropy over the batch; g = grad + weight_decay * w (torch.optim.SGD,
   *  biases included); w -= lr * g. W, b are Float64Array, updated in place. */
  function sgdStep(W, b, ds, order, start, end, lr, wd, gW, gb) {
    var B = end - start, z = new Float64Array(10), c, k;
    gW.fill(0); gb.fill(0);
    for (var t = start; t < end; t++) {
      var m = order[t], p = softmax(logregScores(W, b, ds, m, z)), o = m * D;
      p[ds.y[m]] -= 1;
      for (c = 0; c < 10; c++) {
        var g = p[c] / B, wo = c * D;
        gb[c] += g;
        for (k = ds.starts[m]; k < ds.starts[m + 1]; k++) { var i = ds.idx[k]; gW[wo + i] += g * ds.X[o + i]; }
      }
    }
    for (k = 0; k < W.length; k++) W[k] -= lr * (gW[k] + wd * W[k]);
    for (c = 0; c < 10; c++) b[c] -= lr * (gb[c] + wd * b[c]);
  }

  /** Train logistic regression as course_lib.train does (same batches for the same batch_seed). */
  function trainLogreg(W0, b0, ds, opts) {
    var W = Float64Array.from(W0), b = Float64Array.from(b0), gen = new MT19937(opts.batchSeed || 0);
    var gW = new Float64Array(W.length), gb = new Float64Array(10), bs = opts.batchSize || 100;
    for (var e = 0; e < opts.epochs; e++) {
      var order = randperm(ds.n, gen);
      for (var s = 0; s < ds.n; s += bs) sgdStep(W, b, ds, order, s, Math.min(ds.n, s + bs), opts.lr, opts.weightDecay || 0, gW, gb);
    }
    return { W: W, b: b };
  }

  /** The start PyTorch gives MLP([fanIn, out], seed=seed): nn.Linear draws once, course_lib's MLP
   *  draws again, each value fl32(x * (hi - lo) + lo) with x a 24-bit fraction of one mt19937 output. */
  function torchLinearInit(seed, fanIn, out) {
    var gen = new MT19937(seed), n = out * fanIn, i, W = new Float32Array(n), b = new Float32Array(out);
    var lo = Math.fround(-1 / Math.sqrt(fanIn)), range = Math.fround(Math.fround(1 / Math.sqrt(fanIn)) - lo);
    function draw() { return Math.fround((gen.next() & 0xFFFFFF) * Math.pow(2, -24) * range + lo); }
    for (i = 0; i < n + out; i++) gen.next();          // nn.Linear's own draw, replaced by the MLP's
    for (i = 0; i < n; i++) W[i] = draw();
    for (i = 0; i < out; i++) b[i] = draw();
    return { W: W, b: b };
  }

  // ------------------------------------------------------------------ data
  /** 85 printable characters (no " & ' < > \ `), as course_lib/pages/lab_blobs.py writes them. */
  var B85 = (function () {
    var s = "", code;
    for (code = 33; code < 127 && s.length < 85; code++) if ("\"&'<>\\`".indexOf(String.fromCharCode(code)) < 0) s += String.fromCharCode(code);
    var map = new Int16Array(128).fill(-1);
    for (var i = 0; i < 85; i++) map[s.charCodeAt(i)] = i;
    return map;
  })();

  /** Bytes from base 85: 5 characters -> 4 bytes, most significant first (the end may be padding). */
  function b85ToBytes(s) {
    var n = Math.floor(s.length / 5), out = new Uint8Array(4 * n);
    for (var k = 0; k < n; k++) {
      var v = 0;
      for (var j = 0; j < 5; j++) v = v * 85 + B85[s.charCodeAt(5 * k + j)];
      out[4 * k] = v >>> 24; out[4 * k + 1] = (v >>> 16) & 255; out[4 * k + 2] = (v >>> 8) & 255; out[4 * k + 3] = v & 255;
    }
    return out;
  }

  function gunzip(bytes) {
    var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
    return new Response(stream).arrayBuffer();
  }

  /** Arrays from a blob made by lab.py: spec {name: {dtype, shape, offset, enc, nnz}}. */
  function unpack(buf, spec) {
    var out = {}, types = { float32: Float32Array, uint8: Uint8Array, int8: Int8Array, int32: Int32Array };
    Object.keys(spec).forEach(function (name) {
      var s = spec[name], n = s.shape.reduce(function (a, v) { return a * v; }, 1);
      if (s.enc === "runs") {                   // each row's runs of blank and inked pixels, then the ink
        var runs = new Uint8Array(buf, s.offset, s.mask_bytes), vals = new Uint8Array(buf, s.offset + s.mask_bytes, s.nnz);
        var a = new Uint8Array(n), width = s.shape[1], r = 0, v = 0, pos = 0, ink = false;
        for (var row = 0; row < s.shape[0]; row++) {
          for (pos = 0, ink = false; pos < width; ink = !ink) {
            var len = 0, byte;
            do { byte = runs[r++]; len += byte; } while (byte === 255);
            if (ink) for (var i = 0; i < len; i++) a[row * width + pos + i] = vals[v++];
            pos += len;
          }
        }
        out[name] = a;
      } else out[name] = new types[s.dtype](buf, s.offset, n);
    });
    return out;
  }

  var blobCache = {};
  function loadBlob(hash) {
    if (!blobCache[hash]) {
      var el = document.querySelector('script.nnlab-blob[data-hash="' + hash + '"]');
      if (!el) return Promise.reject(new Error("the lab's data (" + hash + ") is not on this page: run the lab cells from the top"));
      var spec = JSON.parse(el.getAttribute("data-spec"));
      var bytes = b85ToBytes(el.textContent.trim()).subarray(0, +el.getAttribute("data-bytes"));   // without the padding
      blobCache[hash] = gunzip(bytes).then(function (buf) { return unpack(buf, spec); });
    }
    return blobCache[hash];
  }

  function pixels(u8) {                       // uint8 k/255 -> float32, exactly as torch's X / 255
    var X = new Float32Array(u8.length);
    for (var i = 0; i < u8.length; i++) X[i] = Math.fround(u8[i] / 255);
    return X;
  }

  // ------------------------------------------------------------------ drawing helpers
  var RDBU = ["#67001f", "#b2182b", "#d6604d", "#f4a582", "#fddbc7", "#f7f7f7", "#d1e5f0", "#92c5de", "#4393c3", "#2166ac", "#053061"];
  var LUT = (function () {
    var rgb = RDBU.map(function (h) { return [1, 3, 5].map(function (i) { return parseInt(h.substr(i, 2), 16); }); });
    var lut = new Uint8Array(256 * 3);
    for (var i = 0; i < 256; i++) {
      var t = i / 255 * 10, a = Math.min(9, Math.floor(t)), f = t - a;
      for (var c = 0; c < 3; c++) lut[i * 3 + c] = Math.round(rgb[a][c] * (1 - f) + rgb[a + 1][c] * f);
    }
    return lut;
  })();
  var CLASS_COLORS = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000", "#999999", "#882255"];

  function el(tag, attrs, parent, text) {
    var e = document.createElement(tag);
    for (var k in attrs || {}) e.setAttribute(k, attrs[k]);
    if (text !== undefined) e.textContent = text;
    if (parent) parent.appendChild(e);
    return e;
  }

  /** Paint values (length w*h) on a canvas: diverging blue (+) / red (-) with limit lim, or grey ink. */
  function paint(canvas, values, lim, ink) {
    var w = canvas.width, h = canvas.height, ctx = canvas.getContext("2d"), img = ctx.createImageData(w, h);
    for (var i = 0; i < w * h; i++) {
      var o = i * 4;
      if (ink) { var g = Math.round(255 * (1 - Math.min(1, Math.max(0, values[i])))); img.data[o] = img.data[o + 1] = img.data[o + 2] = g; }
      else {
        var t = Math.round(127.5 + 127.5 * Math.max(-1, Math.min(1, values[i] / (lim || 1))));
        img.data[o] = LUT[t * 3]; img.data[o + 1] = LUT[t * 3 + 1]; img.data[o + 2] = LUT[t * 3 + 2];
      }
      img.data[o + 3] = 255;
    }
    ctx.putImageData(img, 0, 0);
  }

  function maxAbs(a) { var m = 0; for (var i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i])); return m || 1; }

  function injectStyle() {
    if (document.getElementById("nnlab-style")) return;
    el("style", { id: "nnlab-style" }, document.head, [
      ".nnlab{--nl-border:#c8c8c8;--nl-pad:#fff;--nl-ink:#000;--nl-muted:#555;border:1px solid var(--nl-border);border-radius:6px;padding:10px;margin:1em 0;max-width:100%;box-sizing:border-box;overflow:hidden;background:var(--pst-color-background,#fff);color:var(--pst-color-text-base,#222)}",
      "html[data-theme='dark'] .nnlab{--nl-border:#555;--nl-pad:#f2f2f2;--nl-muted:#bbb}",
      ".nnlab .nl-row{display:flex;flex-wrap:wrap;gap:12px;align-items:flex-start}",
      ".nnlab .nl-pad{width:min(252px,100%);aspect-ratio:1;background:var(--nl-pad);border:1px solid var(--nl-border);touch-action:none;cursor:crosshair;display:block}",
      ".nnlab canvas.nl-px{image-rendering:pixelated;width:56px;height:56px;border:1px solid var(--nl-border)}",
      ".nnlab .nl-maps{display:grid;grid-template-columns:repeat(5,minmax(0,64px));gap:6px 8px;font-size:12px}",
      ".nnlab figure,.nnlab figcaption{color:inherit;background:transparent}",
      ".nnlab .nl-maps figure{margin:0;text-align:center}.nnlab .nl-maps canvas{width:100%;height:auto;aspect-ratio:1}",
      ".nnlab .nl-bars{display:grid;grid-template-columns:auto minmax(60px,140px) auto;gap:2px 6px;font-size:12px;align-items:center;font-variant-numeric:tabular-nums}",
      ".nnlab .nl-bar{height:10px;background:#0072B2;min-width:1px}.nnlab .nl-bar.nl-neg{background:#d6604d}",
      ".nnlab .nl-win{font-weight:bold}",
      ".nnlab .nl-controls{display:flex;flex-wrap:wrap;gap:6px;align-items:center;margin:6px 0;font-size:14px}",
      ".nnlab button,.nnlab input,.nnlab select{font:inherit;font-size:14px;padding:2px 6px;color:inherit;background:transparent;border:1px solid var(--nl-border);border-radius:4px}",
      ".nnlab input[type=number]{width:5em}",
      ".nnlab button:focus-visible,.nnlab input:focus-visible,.nnlab select:focus-visible{outline:2px solid #E69F00;outline-offset:1px}",
      ".nnlab .nl-grid{display:grid;gap:1px;max-width:100%;background:#999;padding:1px}.nnlab .nl-grid>span:not(:empty){background:var(--pst-color-background,#fff)}.nnlab .nl-grid span{display:block;aspect-ratio:1;min-width:0}",
      ".nnlab .nl-units{display:grid;grid-template-columns:repeat(10,minmax(0,1fr));gap:4px;max-width:520px}",
      ".nnlab .nl-units button{padding:1px;display:flex;flex-direction:column;align-items:center;font-size:11px}",
      ".nnlab .nl-units button canvas{width:100%;height:auto;aspect-ratio:1;image-rendering:pixelated}",
      ".nnlab .nl-units button[aria-pressed='true']{opacity:.3;border-style:dashed}",
      ".nnlab .nl-caption{font-size:.9em;margin:.5em 0 0}.nnlab .nl-status{font-size:13px;min-height:1.2em}",
      ".nnlab table.nl-acc{font-size:12px;border-collapse:collapse}.nnlab table.nl-acc td,.nnlab table.nl-acc th{padding:1px 6px;text-align:right}"
    ].join("\n"));
  }

  function fmt(v, d) { return (v >= 0 ? "+" : "\u2212") + Math.abs(v).toFixed(d === undefined ? 2 : d); }

  /** Ten rows of bars: scores (signed) and softmax probabilities. */
  function bars(container, z, p, names) {
    container.textContent = "";
    var win = argmax(z), lim = maxAbs(z);
    el("b", {}, container, "class"); el("b", {}, container, "score"); el("b", {}, container, "P");
    for (var c = 0; c < z.length; c++) {
      var cls = c === win ? "nl-win" : "";
      el("span", { "class": cls }, container, names ? names[c] : String(c));
      var cell = el("div", { title: "score " + z[c].toFixed(3) }, container);
      el("div", { "class": "nl-bar" + (z[c] < 0 ? " nl-neg" : ""), style: "width:" + (100 * Math.abs(z[c]) / lim).toFixed(1) + "%" }, cell);
      el("span", { "class": cls }, container, fmt(z[c]) + "  " + (100 * p[c]).toFixed(1) + "%");
    }
  }

  // ------------------------------------------------------------------ the pad and the picker
  /** A drawing pad (pointer events: mouse, pen, touch) and a picker of the test digits. */
  function Pad(parent, test, onChange) {
    var self = this, box = el("div", {}, parent);
    var canvas = el("canvas", { width: 280, height: 280, "class": "nl-pad", role: "img", tabindex: "-1",
      "aria-label": "Drawing pad: draw a digit with the mouse, a finger or a pen. The lab reads it as a 28 by 28 image." }, box);
    var ctx = canvas.getContext("2d"), drawing = false, last = null;
    this.canvas = canvas; this.index = null; this.x = new Float64Array(D);
    function pos(e) { var r = canvas.getBoundingClientRect(); return [(e.clientX - r.left) * 280 / r.width, (e.clientY - r.top) * 280 / r.height]; }
    function stroke(a, b) {
      ctx.strokeStyle = "#000"; ctx.lineWidth = 20; ctx.lineCap = ctx.lineJoin = "round";
      ctx.beginPath(); ctx.moveTo(a[0], a[1]); ctx.lineTo(b[0], b[1]); ctx.stroke();
    }
    canvas.addEventListener("pointerdown", function (e) {
      e.preventDefault(); drawing = true; last = pos(e); canvas.setPointerCapture && canvas.setPointerCapture(e.pointerId);
      stroke(last, [last[0] + 0.1, last[1]]); self.edited();
    });
    canvas.addEventListener("pointermove", function (e) {
      if (!drawing) return; e.preventDefault(); var p = pos(e); stroke(last, p); last = p; self.edited();
    });
    ["pointerup", "pointercancel", "pointerleave"].forEach(function (t) { canvas.addEventListener(t, function () { drawing = false; }); });
    this.edited = function () {            // read the pad, preprocess, update the lab: timed as a whole
      var t0 = performance.now(), data = ctx.getImageData(0, 0, 280, 280).data, r = new Float64Array(280 * 280);
      for (var i = 0; i < r.length; i++) r[i] = data[i * 4 + 3] / 255;
      self.index = null; self.x = preprocess(r, 280, 280);
      status.textContent = "your drawing (read as a 28 \u00d7 28 image, fitted and centred as MNIST digits are)";
      onChange();
      self.lastMs = performance.now() - t0;
    };
    this.load = function (i) {                 // a test digit: exactly its pixels; drawn into the pad to edit
      i = Math.max(0, Math.min(test.n - 1, i | 0));
      ctx.clearRect(0, 0, 280, 280);
      for (var p = 0; p < D; p++) if (test.X[i * D + p] > 0) {
        ctx.fillStyle = "rgba(0,0,0," + test.X[i * D + p] + ")"; ctx.fillRect((p % SIDE) * 10, Math.floor(p / SIDE) * 10, 10, 10);
      }
      self.index = i; self.x = Float64Array.from(test.X.subarray(i * D, (i + 1) * D));
      num.value = i; status.textContent = "test digit " + i + " (a " + test.y[i] + ")";
      onChange();
    };
    var bar = el("div", { "class": "nl-controls" }, box);
    el("button", { type: "button" }, bar, "Clear").onclick = function () {
      ctx.clearRect(0, 0, 280, 280); self.index = null; self.x = new Float64Array(D); status.textContent = "empty pad"; onChange();
    };
    var lab = el("label", {}, bar, "test digit ");
    var num = el("input", { type: "number", min: 0, max: test.n - 1, value: 0, "aria-label": "test digit number (0 to " + (test.n - 1) + "); arrow keys step" }, lab);
    num.addEventListener("change", function () { self.load(+num.value); });
    num.addEventListener("keydown", function (e) {
      if (e.key === "ArrowUp" || e.key === "ArrowDown") { e.preventDefault(); self.load(+num.value + (e.key === "ArrowUp" ? 1 : -1)); }
    });
    this.nextMistake = null;
    var mistake = el("button", { type: "button", title: "the next test digit the model gets wrong" }, bar, "next mistake");
    mistake.onclick = function () { if (self.nextMistake) { var j = self.nextMistake(self.index === null ? -1 : self.index); if (j >= 0) self.load(j); } };
    var status = el("div", { "class": "nl-status", "aria-live": "polite" }, box);
  }

  function timed(lab, fn) {
    var t0 = performance.now(); fn(); lab.lastUpdateMs = performance.now() - t0;
    lab.updates = (lab.updates || 0) + 1;
  }

  // ------------------------------------------------------------------ the labs
  var LABS = {};

  /** Chapter 1: the drawing -> ten scores, softmax, ten evidence maps (template x image). */
  LABS.draw = function (root, d, cfg) {
    var lab = {}, test = d.test, W = d.model.W, b = d.model.b;
    var row = el("div", { "class": "nl-row" }, root), left = el("div", {}, row), mid = el("div", {}, row), right = el("div", {}, row);
    var pad = new Pad(left, test, update);
    var input = el("canvas", { width: 28, height: 28, "class": "nl-px", role: "img", "aria-label": "the 28 by 28 input the model sees" });
    el("div", { style: "font-size:12px" }, mid, "input (28 \u00d7 28)").appendChild(input);
    var barBox = el("div", { "class": "nl-bars", "aria-live": "polite" }, mid);
    el("div", { style: "font-size:12px;margin-bottom:4px" }, right, "evidence maps: template \u00d7 image (blue for, red against; one scale)");
    var maps = el("div", { "class": "nl-maps" }, right), cells = [];
    for (var c = 0; c < 10; c++) {
      var f = el("figure", {}, maps), cv = el("canvas", { width: 28, height: 28, "class": "nl-px", role: "img", "aria-label": "evidence map of class " + c }, f);
      cells.push({ canvas: cv, cap: el("figcaption", {}, f, String(c)) });
    }
    var preds = null;
    pad.nextMistake = function (from) {
      if (!preds) { preds = []; var z = new Float64Array(10); for (var m = 0; m < test.n; m++) preds.push(argmax(logregScores(W, b, test, m, z))); }
      for (var k = 1; k <= test.n; k++) { var j = (from + k) % test.n; if (preds[j] !== test.y[j]) return j; }
      return -1;
    };
    function update() {
      timed(lab, function () {
        var x = pad.x, ev = new Float64Array(10 * D), z = new Float64Array(10);
        for (var c = 0; c < 10; c++) { var s = b[c]; for (var i = 0; i < D; i++) { var e = W[c * D + i] * x[i]; ev[c * D + i] = e; s += e; } z[c] = s; }
        var p = softmax(z), lim = maxAbs(ev);
        paint(input, x, 1, true);
        for (c = 0; c < 10; c++) {
          paint(cells[c].canvas, ev.subarray(c * D, (c + 1) * D), lim);
          cells[c].cap.textContent = c + ": " + fmt(z[c], 1);
          cells[c].cap.className = c === argmax(z) ? "nl-win" : "";
        }
        bars(barBox, z, p);
        lab.logits = Array.from(z); lab.probs = Array.from(p); lab.prediction = argmax(z);
        root.setAttribute("data-prediction", lab.prediction);
      });
    }
    lab.pad = pad; lab.load = pad.load; lab.update = update;
    pad.load(cfg.start || 0);
    return lab;
  };

  /** Hidden activations, each output's contributions w_cj h_j, and sign patterns (chapters 2, 3). */
  LABS.hidden = function (root, d, cfg) {
    var lab = {}, net = netOf(d.model, cfg), H = net.hidden;
    var row = el("div", { "class": "nl-row" }, root), left = el("div", {}, row), right = el("div", { style: "flex:1;min-width:260px;max-width:560px" }, row);
    var pad = new Pad(left, d.test, update);
    var barBox = el("div", { "class": "nl-bars", "aria-live": "polite" }, left);
    el("div", { style: "font-size:12px" }, right, "the " + H + " hidden activations (white 0, black 1)");
    var acts = grid(right, 1, H, "hidden activations of the drawing");
    el("div", { style: "font-size:12px;margin-top:6px" }, right, "contributions w \u00d7 h to each output's score (rows: outputs 0\u20139; blue for, red against)");
    var contrib = grid(right, 10, H, "contribution of each hidden unit to each output score");
    el("div", { style: "font-size:12px;margin-top:6px" }, right, "sign patterns: the drawing (top row) and each class's typical pattern (black: above the unit's average activation); beside each class, on how many units it agrees with the drawing");
    var signs = grid(right, 11, H, "sign pattern of the drawing and of each class", true);
    var centre = d.model.centre, typical = d.model.typical;
    function update() {
      timed(lab, function () {
        var out = mlpForward(net, pad.x), p = softmax(out.logits), win = argmax(out.logits), c, j;
        bars(barBox, out.logits, p);
        for (j = 0; j < H; j++) acts.cells[j].style.background = grey(out.h[j]);
        var con = new Float64Array(10 * H);
        for (c = 0; c < 10; c++) for (j = 0; j < H; j++) con[c * H + j] = net.W2[c * H + j] * out.h[j];
        var lim = maxAbs(con);
        for (c = 0; c < 10 * H; c++) contrib.cells[c].style.background = rgb(con[c] / lim);
        var mine = [];
        for (j = 0; j < H; j++) { mine.push(out.h[j] > centre[j] ? 1 : 0); signs.cells[j].style.background = mine[j] ? "#000" : "#fff"; }
        for (c = 0; c < 10; c++) {
          var agree = 0;
          for (j = 0; j < H; j++) { var t = typical[c * H + j]; agree += t === mine[j]; signs.cells[(c + 1) * H + j].style.background = t ? "#000" : "#fff"; }
          signs.labels[c + 1].textContent = c + " " + agree + "/" + H;
          signs.labels[c + 1].className = c === win ? "nl-win" : "";
        }
        lab.logits = Array.from(out.logits); lab.hiddenActs = Array.from(out.h); lab.prediction = win;
        root.setAttribute("data-prediction", win);
      });
    }
    lab.pad = pad; lab.load = pad.load; lab.update = update;
    pad.load(cfg.start || 0);
    return lab;
  };

  function netOf(m, cfg) {
    return { W1: m.W1, b1: m.b1, W2: m.W2, b2: m.b2, hidden: m.b1.length, activation: cfg.activation };
  }
  function grey(v) { var g = Math.round(255 * (1 - Math.max(0, Math.min(1, v)))); return "rgb(" + g + "," + g + "," + g + ")"; }
  function rgb(t) { var i = Math.round(127.5 + 127.5 * Math.max(-1, Math.min(1, t))) * 3; return "rgb(" + LUT[i] + "," + LUT[i + 1] + "," + LUT[i + 2] + ")"; }

  /** A grid of rows x cols coloured cells, with a label before each row when labelled. */
  function grid(parent, rows, cols, label, labelled) {
    var g = el("div", { "class": "nl-grid", role: "img", "aria-label": label,
      style: "grid-template-columns:" + (labelled ? "4.2em " : "") + "repeat(" + cols + ",minmax(0,1fr))" }, parent);
    var cells = [], labels = [];
    for (var r = 0; r < rows; r++) {
      if (labelled) labels.push(el("span", { style: "aspect-ratio:auto;font-size:10px;line-height:1;white-space:nowrap" }, g, r === 0 ? "drawing" : String(r - 1)));
      for (var c = 0; c < cols; c++) cells.push(el("span", {}, g));
    }
    return { cells: cells, labels: labels };
  }

  /** Silence hidden units; per-class and overall test accuracy over the test digits (chapters 2, 3). */
  LABS.ablation = function (root, d, cfg) {
    var lab = {}, net = netOf(d.model, cfg), H = net.hidden, test = d.test, c, j, m;
    var Hs = new Float64Array(test.n * H), f = ACT[net.activation];
    for (m = 0; m < test.n; m++) {
      var h = affine(net.W1, net.b1, test.X.subarray(m * D, (m + 1) * D), H, D, test.idx.subarray(test.starts[m], test.starts[m + 1]));
      for (j = 0; j < H; j++) Hs[m * H + j] = f(h[j]);
    }
    var mask = new Uint8Array(H).fill(1);
    var presets = el("div", { "class": "nl-controls", role: "group", "aria-label": "presets" }, root);
    (cfg.presets || []).forEach(function (pr) {
      el("button", { type: "button", title: pr.why || "" }, presets, pr.name).onclick = function () {
        mask.fill(1); pr.units.forEach(function (u) { mask[u] = 0; }); update();
      };
    });
    el("div", { style: "font-size:12px" }, root, "click or press a unit (Tab, then Enter or Space) to silence it (its activation set to 0); each button shows the unit's 784 input weights");
    var units = el("div", { "class": "nl-units" }, root), buttons = [], Wlim = maxAbs(net.W1);
    for (j = 0; j < H; j++) (function (j) {
      var bt = el("button", { type: "button", "aria-pressed": "false", "aria-label": "hidden unit " + j }, units);
      var cv = el("canvas", { width: 28, height: 28, role: "img", "aria-label": "input weights of unit " + j }, bt);
      paint(cv, net.W1.subarray(j * D, (j + 1) * D), Wlim * 0.5);
      el("span", {}, bt, String(j));
      bt.onclick = function () { mask[j] = mask[j] ? 0 : 1; update(); };
      buttons.push(bt);
    })(j);
    var table = el("table", { "class": "nl-acc", "aria-live": "polite" }, root), intact;
    var base = new Float64Array(test.n * 10);          // every test digit's logits with all units on
    for (m = 0; m < test.n; m++) for (c = 0; c < 10; c++) {
      var s = net.b2[c];
      for (j = 0; j < H; j++) s += net.W2[c * H + j] * Hs[m * H + j];
      base[m * 10 + c] = s;
    }
    /** Accuracy with the units where mk is 0 silenced: each logit minus those units' contributions. */
    function accuracy(mk) {
      var off = [], right = new Float64Array(10), count = new Float64Array(10), z = new Float64Array(10);
      for (j = 0; j < H; j++) if (!mk[j]) off.push(j);
      for (m = 0; m < test.n; m++) {
        for (c = 0; c < 10; c++) {
          var s = base[m * 10 + c];
          for (var k = 0; k < off.length; k++) s -= net.W2[c * H + off[k]] * Hs[m * H + off[k]];
          z[c] = s;
        }
        count[test.y[m]]++; if (argmax(z) === test.y[m]) right[test.y[m]]++;
      }
      var total = right.reduce(function (a, v) { return a + v; }, 0);
      return { perClass: Array.from(right).map(function (r, k) { return r / count[k]; }), overall: total / test.n, right: total };
    }
    function update() {
      timed(lab, function () {
        var acc = accuracy(mask), silenced = [];
        for (j = 0; j < H; j++) { buttons[j].setAttribute("aria-pressed", mask[j] ? "false" : "true"); if (!mask[j]) silenced.push(j); }
        table.textContent = "";
        var head = el("tr", {}, table); el("th", {}, head, "digit");
        for (c = 0; c < 10; c++) el("th", {}, head, String(c)); el("th", {}, head, "all");
        intact = intact || accuracy(new Uint8Array(H).fill(1));
        [["all units", intact], ["silenced " + silenced.length, acc]].forEach(function (r) {
          var tr = el("tr", {}, table); el("th", {}, tr, r[0]);
          for (c = 0; c < 10; c++) el("td", {}, tr, (100 * r[1].perClass[c]).toFixed(0) + "%");
          el("td", {}, tr, (100 * r[1].overall).toFixed(1) + "%");
        });
        lab.accuracy = acc.overall; lab.perClass = acc.perClass; lab.silenced = silenced;
        root.setAttribute("data-accuracy", acc.overall);
      });
    }
    lab.setMask = function (silence) { mask.fill(1); silence.forEach(function (u) { mask[u] = 0; }); update(); };
    lab.update = update; update();
    return lab;
  };

  /** Chapter 1: logistic regression trained in the page, with templates and accuracies redrawn. */
  LABS.train = function (root, d, cfg) {
    var lab = { history: [] }, rec = cfg.recipe, raw = d.train, test = d.test;
    var ctr = el("div", { "class": "nl-controls" }, root);
    function control(label, node) { var l = el("label", {}, ctr, label + " "); l.appendChild(node); return node; }
    function select(options, value) {
      var s = el("select");
      options.forEach(function (o) { var op = el("option", { value: o }, s, String(o)); if (o === value) op.selected = true; });
      return s;
    }
    var lr = control("learning rate", select([0.01, 0.03, 0.1, 0.3, 1], rec.lr));
    var wd = control("weight decay", select([0, 0.001, 0.01, 0.03, 0.1, 0.3, 1], rec.weight_decay));
    var ep = control("epochs", el("input", { type: "number", min: 1, max: 50, value: rec.epochs }));
    var kk = control("shift k", el("input", { type: "number", min: 0, max: 8, value: 0 }));
    var go = el("button", { type: "button" }, ctr, "Train");
    var reset = el("button", { type: "button" }, ctr, "Reset");
    var status = el("div", { "class": "nl-status", "aria-live": "polite" }, root);
    var row = el("div", { "class": "nl-row" }, root), box = el("div", {}, row), cells = [];
    el("div", { style: "font-size:12px;margin-bottom:4px" }, box, "the ten templates (blue: ink there raises the score, red: lowers it)");
    var maps = el("div", { "class": "nl-maps" }, box);
    for (var c = 0; c < 10; c++) {
      var f = el("figure", {}, maps);
      cells.push(el("canvas", { width: 28, height: 28, "class": "nl-px", role: "img", "aria-label": "template of class " + c }, f));
      el("figcaption", {}, f, String(c));
    }
    var chart = el("canvas", { width: 260, height: 150, role: "img", "aria-label": "training (dashed) and test (solid) accuracy after each epoch",
      style: "max-width:100%;border:1px solid var(--nl-border)" }, row);
    var st, running = false, timer = null;
    function setup() {
      var k = +kk.value | 0, tr = new Digits(shiftImages(raw.X, raw.n, k, 1), raw.y, raw.n);
      var te = k ? new Digits(shiftImages(test.X, test.n, k, 2), test.y, test.n) : test;
      var init = cfg.init_seed === null ? d.init : torchLinearInit(cfg.init_seed, D, 10);
      st = { W: Float64Array.from(init.W), b: Float64Array.from(init.b), gen: new MT19937(rec.batch_seed), tr: tr, te: te,
             epoch: 0, order: null, pos: 0, gW: new Float64Array(10 * D), gb: new Float64Array(10), epochMs: 0 };
      lab.history = [[logregAccuracy(st.W, st.b, tr), logregAccuracy(st.W, st.b, te)]];
      draw();
    }
    function draw() {
      var lim = maxAbs(st.W) * 0.6;
      for (var c = 0; c < 10; c++) paint(cells[c], st.W.subarray(c * D, (c + 1) * D), lim);
      var h = lab.history, last = h[h.length - 1], ctx = chart.getContext("2d"), n = Math.max(+ep.value, 1);
      ctx.clearRect(0, 0, 260, 150); ctx.lineWidth = 2; ctx.font = "11px sans-serif"; ctx.fillStyle = "#888";
      ctx.fillText("accuracy (0 to 100%) by epoch", 30, 12);
      [[0, "#E69F00", [5, 3]], [1, "#0072B2", []]].forEach(function (s) {
        ctx.strokeStyle = s[1]; ctx.setLineDash(s[2]); ctx.beginPath();
        h.forEach(function (r, e) { var x = 10 + 240 * e / n, y = 145 - 125 * r[s[0]]; e ? ctx.lineTo(x, y) : ctx.moveTo(x, y); });
        ctx.stroke();
      });
      ctx.setLineDash([]);
      status.textContent = "epoch " + st.epoch + " of " + ep.value + ": training accuracy " + (100 * last[0]).toFixed(1) +
        "%, test accuracy " + (100 * last[1]).toFixed(1) + "%" + (st.epochMs ? " (last epoch " + st.epochMs.toFixed(0) + " ms)" : "");
      lab.W = st.W; lab.b = st.b; lab.epoch = st.epoch; lab.epochMs = st.epochMs; lab.epochWallMs = st.epochWallMs;
      root.setAttribute("data-epoch", st.epoch);
    }
    function tick() {                       // batches for about 30 ms, then yield to the page
      var t0 = performance.now(), bs = rec.batch_size;
      while (running && performance.now() - t0 < 30) {
        if (st.epoch >= +ep.value) { stop(); break; }
        if (!st.order) { st.order = randperm(st.tr.n, st.gen); st.pos = 0; st.epochStart = performance.now(); st.epochWork = 0; }
        var s0 = performance.now();
        sgdStep(st.W, st.b, st.tr, st.order, st.pos, Math.min(st.tr.n, st.pos + bs), +lr.value, +wd.value, st.gW, st.gb);
        st.epochWork += performance.now() - s0;
        st.pos += bs;
        if (st.pos >= st.tr.n) {
          st.epoch++; st.order = null; st.epochMs = st.epochWork; st.epochWallMs = performance.now() - st.epochStart;
          lab.history.push([logregAccuracy(st.W, st.b, st.tr), logregAccuracy(st.W, st.b, st.te)]);
          draw();
        }
      }
      if (running) timer = setTimeout(tick, 0);
    }
    function stop() { running = false; clearTimeout(timer); go.textContent = st.epoch >= +ep.value ? "Train" : "Resume"; draw(); }
    go.onclick = function () {
      if (running) return stop();
      if (st.epoch >= +ep.value) setup();
      running = true; go.textContent = "Pause"; tick();
    };
    reset.onclick = function () { stop(); setup(); go.textContent = "Train"; };
    [lr, wd, kk].forEach(function (n) { n.addEventListener("change", reset.onclick); });
    ep.addEventListener("change", draw);
    lab.start = function () { if (!running) go.onclick(); };
    lab.stop = stop; lab.reset = reset.onclick;
    lab.running = function () { return running; };
    lab.controls = { lr: lr, weightDecay: wd, epochs: ep, k: kk };
    setup();
    return lab;
  };

  /** Mount every lab on the page that is not mounted yet (each reads its data blobs by hash). */
  function mountAll() {
    injectStyle();
    var roots = document.querySelectorAll(".nnlab[data-nnlab]:not([data-mounted])");
    Array.prototype.forEach.call(roots, function (root) {
      root.setAttribute("data-mounted", "loading");
      var cfg = JSON.parse(root.getAttribute("data-config")), names = Object.keys(cfg.blobs), body = root.querySelector(".nl-body");
      Promise.all(names.map(function (k) { return loadBlob(cfg.blobs[k]); })).then(function (arrays) {
        var d = {};
        names.forEach(function (k, i) {
          var a = arrays[i];
          d[k] = a.X ? new Digits(pixels(a.X), a.y, a.y.length) : a;
        });
        body.textContent = "";
        root.nnlab = LABS[cfg.kind](body, d, cfg);
        root.setAttribute("data-mounted", "ready");
      }).catch(function (err) {
        body.textContent = "This lab could not start: " + err.message;
        root.setAttribute("data-mounted", "failed");
        if (typeof console !== "undefined") console.warn("nnlab:", err);
      });
    });
  }

  var NNLab = {
    softmax: softmax, argmax: argmax, affine: affine, mlpForward: mlpForward, preprocess: preprocess,
    boxWeights: boxWeights, MT19937: MT19937, randperm: randperm, mulberry32: mulberry32, shiftImages: shiftImages,
    Digits: Digits, logregScores: logregScores, logregAccuracy: logregAccuracy, sgdStep: sgdStep, trainLogreg: trainLogreg,
    b85ToBytes: b85ToBytes, torchLinearInit: torchLinearInit, gunzip: gunzip, unpack: unpack, pixels: pixels, mountAll: mountAll, labs: LABS
  };
  if (typeof module !== "undefined" && module.exports) module.exports = NNLab;
  else root.NNLab = NNLab;
})(typeof window !== "undefined" ? window : this);
