#!/usr/bin/env node
// Regenerates the modelled bench figures in docs/performance.md and README.md from
// `picocray --port sim bench --json --verify` (RP2040 and Pico 2 boards: every count checked
// against the host reference), between the markers
// <!-- perf:NAME --> and <!-- /perf:NAME -->, so the numbers are never edited by hand.
//
//   node tools/perf-docs/update.js PICOCRAY            rewrite the blocks
//   node tools/perf-docs/update.js PICOCRAY --check    exit 1 when a block differs from a fresh run
'use strict';
const { execFileSync } = require('child_process');
const { readFileSync, writeFileSync } = require('fs');
const { join } = require('path');

const root = join(__dirname, '..', '..');
const [picocray, mode] = process.argv.slice(2);
if (!picocray) {
  console.error('usage: update.js PATH/TO/picocray [--check]');
  process.exit(2);
}

const bench = (...extra) =>
  JSON.parse(execFileSync(picocray, ['--port', 'sim', 'bench', '--json', '--verify', ...extra],
                          { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }));
const rp2040 = bench();
const pico2 = bench('--board', 'pico2');

const views = {
  overview: '-2.5,1,-1.25,1.25, 640x480, 256 it, 32-bit',
  seahorse: 'centre -0.7465,0.09875, span 0.03, 640x480, 2048 it, 32-bit',
  deep: 'centre -1.7497219297423015,0, span 1e-20, 320x240, 1024 it, 128-bit',
};
const f3 = (x) => x.toFixed(3);
const scene = (run, name) => {
  const s = run.scenes.find((r) => r.name === name);
  if (!s) throw new Error(`bench gave no ${name} scene`);
  return s;
};
// What bounds a scene, and the runner-up, in the bench's own terms.
const bounds = (s) => {
  const all = [['compute', s.compute_bound_s], ['controller', s.controller_bound_s],
               ['bus', s.bus_bound_s], ['USB', s.usb_bound_s]].sort((a, b) => b[1] - a[1]);
  return `${all[0][0]} (${f3(all[0][1])} s; ${all[1][0]} ${f3(all[1][1])} s)`;
};

const table = [
  '| scene | view | modelled_s | one Pico (modelled) | speed-up | I2C bytes/pixel | modelled / bound | what bounds it |',
  '|---|---|---:|---:|---:|---:|---:|---|',
  ...rp2040.scenes.map((s) =>
    `| ${s.name} | ${views[s.name] ?? ''} | ${f3(s.modelled_s)} | ${s.single_pico_modelled_s.toFixed(2)} | ` +
    `${s.speedup.toFixed(2)}x | ${f3(s.i2c_bytes_per_pixel)} | ${f3(s.modelled_over_bound)} | ${bounds(s)} |`),
  '',
  `On a cluster of Pico 2 boards (\`picocray --port sim bench --board pico2 --json\`, modelled): ` +
    pico2.scenes.map((s) => `${s.name} ${f3(s.modelled_s)} s`).join(', ') +
    `; the deep scene ${(scene(rp2040, 'deep').modelled_s / scene(pico2, 'deep').modelled_s).toFixed(2)}x ` +
    'faster than on RP2040 boards.',
].join('\n');

const o = scene(rp2040, 'overview'), h = scene(rp2040, 'seahorse');
const worst = Math.max(...rp2040.scenes.map((s) => s.modelled_over_bound));
const readme = [
  '- `picocray --port sim bench` (modelled figures, 8 secondaries plus the controller\'s core 1):',
  `  the whole set at 640x480 and 256 iterations in ${o.modelled_s.toFixed(2)} s against ` +
    `${o.single_pico_modelled_s.toFixed(2)} s for one Pico (${o.speedup.toFixed(1)}x) with ` +
    `${o.i2c_bytes_per_pixel.toFixed(2)} bytes per pixel on the I2C bus; a compute-heavy`,
  `  seahorse-valley view at 2048 iterations in ${h.modelled_s.toFixed(1)} s (${h.speedup.toFixed(1)}x); ` +
    `every scene within ${(Math.ceil(worst * 100) / 100).toFixed(2)}x of its bound. On Pico 2 boards`,
  `  (\`bench --board pico2\`) the 128-bit deep view is ` +
    `${(scene(rp2040, 'deep').modelled_s / scene(pico2, 'deep').modelled_s).toFixed(1)}x faster than on Picos. ` +
    'docs/performance.md has the tables',
  '  and the commands, docs/model.md the model\'s inputs.',
].join('\n');

// Over several clusters of 8 (docs/performance.md, "Over several clusters").
const sweep = JSON.parse(execFileSync(
  picocray, ['--port', 'sim:8', 'bench', '--scenes', 'overview,seahorse', '--clusters-sweep', '1,2,3,4', '--json'],
  { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] })).clusters_sweep;
const at = (name, k) => sweep.find((r) => r.name === name && r.clusters === k);
const clusters = [
  '| clusters of 8 secondaries | overview 640x480, 256 | speed-up | seahorse 640x480, 2048 | speed-up |',
  '|---:|---:|---:|---:|---:|',
  ...[1, 2, 3, 4].map((k) => {
    const o = at('overview', k), h = at('seahorse', k);
    return `| ${k} | ${f3(o.modelled_s)} s | ${o.speedup.toFixed(2)}x | ${h.modelled_s.toFixed(2)} s | ` +
           `${h.speedup.toFixed(2)}x |`;
  }),
].join('\n');

let stale = 0;
function put(file, name, text) {
  const path = join(root, file);
  const doc = readFileSync(path, 'utf8');
  const begin = `<!-- perf:${name} -->\n`, end = `\n<!-- /perf:${name} -->`;
  const a = doc.indexOf(begin), b = doc.indexOf(end);
  if (a < 0 || b < a) throw new Error(`${file}: no ${begin.trim()} ... ${end.trim()} block`);
  const next = doc.slice(0, a + begin.length) + text + doc.slice(b);
  if (next === doc) return;
  if (mode === '--check') {
    console.error(`${file}: the ${name} block differs from a fresh bench run ` +
                  `(node tools/perf-docs/update.js ${picocray} rewrites it)`);
    ++stale;
  } else {
    writeFileSync(path, next);
    console.error(`${file}: ${name} block rewritten`);
  }
}
put('docs/performance.md', 'bench-table', table);
put('docs/performance.md', 'clusters', clusters);
put('README.md', 'bench', readme);
process.exit(stale ? 1 : 0);
