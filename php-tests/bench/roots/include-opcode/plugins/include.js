// Benchmark root: include/eval and the file/callable types are checked by
// a plugin that ignores everything (the full cost of a check).
const plugin = new RASP('bench-include');
for (const t of ['include', 'eval', 'readFile', 'writeFile']) plugin.register(t, function () { return { action: 'ignore' }; });
