#!/usr/bin/env node
// The timing model against the emulated boards: the same jobs rendered on the simulator
// (`--port sim:N`, modelled_s) and on the emulated cluster running the built board image
// (`--port emu:N`, device_s: the controller's clock), as docs/model.md's table has them.
//
//   node tools/model-check/run.js PATH/TO/picocray [--check]
//
// Prints the markdown table on stdout; with --check, exits 1 when a job is more than 10% off.
// Needs a built firmware image (scripts/firmware.sh) and the emulator's npm install.
'use strict';
const { execFileSync } = require('child_process');

const [picocray, mode] = process.argv.slice(2);
if (!picocray) {
  console.error('usage: run.js PATH/TO/picocray [--check]');
  process.exit(2);
}
const jobs = [
  ['overview 64x48 (-2.5,1,-1.25,1.25), 64 it', 3, ['--region', '-2.5,1,-1.25,1.25', '--size', '64x48', '--iterations', '64']],
  ['overview 160x120, 64 it', 3, ['--region', '-2.5,1,-1.25,1.25', '--size', '160x120', '--iterations', '64']],
  ['seahorse 64x48 (-0.75,-0.73,0.09,0.11), 256 it', 3, ['--region', '-0.75,-0.73,0.09,0.11', '--size', '64x48', '--iterations', '256']],
  ['-1.5,0.5,-1,1 64x64, `--tile 64x64`, 64 it, `--no-controller`', 3, ['--region', '-1.5,0.5,-1,1', '--size', '64x64', '--tile', '64x64', '--iterations', '64', '--no-controller']],
  ['overview 64x48, 64 it, `--precision 64`', 3, ['--region', '-2.5,1,-1.25,1.25', '--size', '64x48', '--iterations', '64', '--precision', '64']],
  ['centre -0.7436447860,0.1318252536, span 1e-5, 48x32, `--tile 16x16`, 64 it, `--precision 128`', 3, ['--center', '-0.7436447860,0.1318252536', '--span', '1e-5', '--size', '48x32', '--tile', '16x16', '--iterations', '64', '--precision', '128']],
  ['overview 160x120, 64 it', 8, ['--region', '-2.5,1,-1.25,1.25', '--size', '160x120', '--iterations', '64']],
];
const render = (port, args) => JSON.parse(execFileSync(
  picocray, ['--port', port, 'render', ...args, '--verify', '--json', '-q'],
  { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 26 }));
const lines = ['| job | N | modelled (ms) | emulated (ms) | modelled / emulated | I2C bytes/pixel (sim, emu) |',
               '|---|---:|---:|---:|---:|---:|'];
let worst = 0;
for (const [name, n, args] of jobs) {
  const sim = render(`sim:${n}`, args);
  const emu = render(`emu:${n}`, args);
  const m = sim.modelled_s * 1000, e = emu.device_s * 1000;
  const r = m / e;
  worst = Math.max(worst, Math.abs(r - 1));
  const pct = `${r >= 1 ? '+' : ''}${((r - 1) * 100).toFixed(1)} %`;
  lines.push(`| ${name} | ${n} | ${m.toFixed(2)} | ${e.toFixed(2)} | ${r.toFixed(3)} (${pct}) | ` +
             `${sim.i2c_bytes_per_pixel.toFixed(3)}, ${emu.i2c_bytes_per_pixel.toFixed(3)} |`);
  console.error(`${name} on ${n}: modelled ${m.toFixed(2)} ms, emulated ${e.toFixed(2)} ms`);
}
console.log(lines.join('\n'));
console.error(`largest difference ${(worst * 100).toFixed(1)} %`);
if (mode === '--check' && worst > 0.10) process.exit(1);
