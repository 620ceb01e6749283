// Benchmark root: a plugin that handles no type the benchmark touches, so
// every hook takes its "nothing to check" path.
const plugin = new RASP('bench-none');
plugin.register('sql', function () { return { action: 'ignore' }; });
