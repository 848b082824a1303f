// package.json's "bench" script runs this file; the bench itself is compiled from bench/*.ts.
import '../dist/bench/run.js';
