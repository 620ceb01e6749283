#!/usr/bin/env python3
"""The e2e yardstick without PHP: every corpus input x every case of the
vulnerable app, turned into the params design.md's hooks send (query,
command, path/realpath, url/hostname/ip, entity, data/clazz), labelled by
the yardstick's own oracle, judged by the plugin through `rasp plugin test`.
Used for the classes whose hooks the extension does not have yet; for sql
and cmd it reproduces the e2e numbers exactly (docs/detection.md).

  plugins/official/tests/tools/offline_measure.py [--rasp target/release/rasp] [--e2e DIR] [--corpus DIR]
"""
import argparse, json, os, re, subprocess, sys, tempfile

here = os.path.dirname(os.path.abspath(__file__))
repo = os.path.abspath(os.path.join(here, '..', '..', '..', '..'))
ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
ap.add_argument('--rasp', default=os.path.join(repo, 'target', 'release', 'rasp'))
ap.add_argument('--e2e', default=os.path.join(repo, '..', 'shared', 'e2e'))
ap.add_argument('--corpus', default=os.path.join(repo, '..', 'shared', 'corpus'))
a = ap.parse_args()
if not os.path.exists(a.rasp):
    sys.exit(f'{a.rasp} not found: build it (cargo build --release -p rasp-cli) or pass --rasp')

out = tempfile.mkdtemp(prefix='rasp-offline-')
subprocess.run([sys.executable, os.path.join(here, 'corpus_fixtures.py'), '--e2e', a.e2e, '--corpus', a.corpus,
                '--full', out], check=True, stdout=subprocess.DEVNULL)
print(f'{"class":10} {"attacks":>8} {"blocked":>8} {"detect%":>8} {"benign":>8} {"FP":>6} {"FP%":>7}')
for cls, f in [('sql', 'corpus_sql.json'), ('cmd', 'corpus_cmd.json'), ('path', 'corpus_path.json'),
               ('ssrf', 'corpus_ssrf.json'), ('xxe+deser', 'corpus_xxe_deser.json')]:
    path = os.path.join(out, f)
    cases = json.load(open(path))['cases']
    attacks = sum(c['expect'] == 'block' for c in cases)
    benign = len(cases) - attacks
    r = subprocess.run([a.rasp, 'plugin', 'test', '-q', '-p', os.path.join(repo, 'plugins', 'official'), path],
                       cwd=repo, capture_output=True, text=True)
    missed = len(re.findall(r'expected block, got ignore', r.stdout))
    fp = len(re.findall(r'expected ignore, got block', r.stdout))
    print(f'{cls:10} {attacks:8} {attacks - missed:8} {100.0 * (attacks - missed) / max(attacks, 1):8.2f} '
          f'{benign:8} {fp:6} {100.0 * fp / max(benign, 1):7.3f}')
    for m in re.findall(r'FAIL  \S+ (.*)\n\s+(expected [^\n]{0,160})', r.stdout)[:8]:
        print(f'  {cls}: {m[0][:90]}  ->  {m[1][:120]}')
