import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { initParser } from '../../server/src/engine/analysis/parser';
import { isProjectFileName, projectKerasVersion, projectRequirements, type IncludeResolver } from '../../server/src/engine/analysis/project-version';
import { defaultSettings, type KerasVersionInfo } from '../../server/src/engine/analysis/types';
import { analyzeText } from '../../server/src/engine/engine';
import { ProjectVersions } from '../../server/src/workspace/project-files';

/** A version without its minor range, for the tests about where a version comes from. */
function plain(version: KerasVersionInfo | undefined): KerasVersionInfo | undefined {
  return version && { major: version.major, source: version.source };
}

/** The Keras major version that one file of the given name and text declares. */
function majorOf(name: string, text: string, resolve?: IncludeResolver): 2 | 3 | undefined | 'none' {
  const version = projectKerasVersion([{ name, text }], resolve);
  return version ? version.major : 'none';
}

describe('version specifiers in requirements.txt', () => {
  const cases: Array<[string, 2 | 3 | undefined]> = [
    ['tensorflow>=2.16', 3],
    ['tensorflow>=2.16.1', 3],
    ['tensorflow>=2.16.0rc0', 3],
    ['tensorflow==2.16.1', 3],
    ['tensorflow~=2.16', 3],
    ['tensorflow>=2.16,<2.18', 3],
    ['tensorflow==2.15', 2],
    ['tensorflow==2.15.1', 2],
    ['tensorflow==2.15.*', 2],
    ['tensorflow==2.*', undefined],
    ['tensorflow~=2.13.0', 2],
    ['tensorflow~=2.13', undefined],
    ['tensorflow<2.16', 2],
    ['tensorflow<2.16.0', 2],
    ['tensorflow<=2.15.1', 2],
    ['tensorflow<=2.16', undefined],
    ['tensorflow>=2.10,<2.16', 2],
    ['tensorflow>=2.10', undefined],
    ['tensorflow>2.15', undefined], // 2.15.1 is still Keras 2
    ['tensorflow<2.16.0rc1', undefined], // allows 2.16.0rc0, which has Keras 3 (PEP 440)
    ['tensorflow!=2.15.0', undefined],
    ['tensorflow>=2.16,<2.10', undefined], // allows nothing
    ['tensorflow===2.15.0', 2],
    ['tensorflow==2.15.0+cpu', 2],
    ['tensorflow', undefined],
    ['keras>=3', 3],
    ['keras>=3.0.0', 3],
    ['keras==3.3.3', 3],
    ['keras<3', 2],
    ['keras==2.15.0', 2],
    ['keras>=2.13', undefined],
    ['keras', undefined],
    // tf-keras says which names use the legacy package, not which `keras` is installed; from
    // 2.16 on it requires TensorFlow of its minor, and so Keras 3.
    ['tf-keras', undefined],
    ['tf_keras==2.15.0', undefined],
    ['tf_keras==2.16.0', 3],
    ['TF.Keras>=2.17', 3],
    ['tensorflow-cpu==2.15.0', 2],
    ['tensorflow-gpu==2.11.0', 2],
    ['tensorflow-macos>=2.16', 3],
    ['tensorflow_intel==2.15.0', 2],
    ['tf-nightly==2.17.0.dev20240301', 3],
    ['tf-nightly==2.15.0.dev20230801', 2],
    ['TensorFlow>=2.16', 3],
    ['tensorflow (>=2.10, <2.16)', 2],
    ['tensorflow[and-cuda]>=2.16', 3],
    ['tensorflow >= 2.16 ; python_version >= "3.9"', 3],
  ];
  for (const [requirement, expected] of cases) {
    test(`${requirement} → ${expected === undefined ? 'no evidence' : `Keras ${expected}`}`, () => {
      assert.equal(majorOf('requirements.txt', requirement + '\n'), expected);
    });
  }

  test('packages other than TensorFlow and Keras give no evidence at all', () => {
    assert.equal(majorOf('requirements.txt', 'numpy==1.26\ntensorflow-metal==1.1.0\ntensorflow-datasets==4.9\nkeras-tuner==1.4\n'), 'none');
    assert.equal(projectKerasVersion([]), undefined);
    // Names that are also properties of every JavaScript object.
    assert.equal(majorOf('requirements.txt', 'constructor==1.0\ntoString\n'), 'none');
    assert.equal(majorOf('pyproject.toml', '[tool.poetry.dependencies]\nconstructor = "1.0"\n'), 'none');
  });

  test('an unreadable specifier is no evidence, not a guess', () => {
    assert.equal(majorOf('requirements.txt', 'tensorflow==banana\n'), undefined);
    assert.equal(majorOf('requirements.txt', 'tensorflow 2.15\n'), 'none');
  });
});

describe('requirements files', () => {
  test('the source names the requirement, the file and the line', () => {
    assert.deepEqual(plain(projectKerasVersion([{ name: 'requirements.txt', text: 'numpy\n\n# ML\ntensorflow>=2.16\n' }])), {
      major: 3,
      source: '`tensorflow>=2.16` in requirements.txt (line 4)',
    });
  });

  test('comments, continuations, hashes and options are understood', () => {
    const text = [
      '--index-url https://example.org/simple',
      '# tensorflow>=2.16 is what we want one day',
      '-e .',
      'git+https://example.org/repo.git#egg=tensorflow',
      'tensorflow==2.15.0 \\',
      '    --hash=sha256:0123456789abcdef  # pinned by pip-compile',
      'numpy  # tensorflow>=2.16',
    ].join('\n');
    assert.deepEqual(plain(projectKerasVersion([{ name: 'requirements.txt', text }])), { major: 2, source: '`tensorflow==2.15.0` in requirements.txt (line 5)' });
  });

  test('CRLF line endings and a direct reference to a wheel', () => {
    const text = 'numpy\r\ntensorflow @ https://example.org/tensorflow-2.15.1-cp311-cp311-manylinux_2_17_x86_64.whl\r\n';
    assert.equal(majorOf('requirements.txt', text), 2);
    assert.equal(majorOf('requirements.txt', 'tensorflow @ git+https://example.org/tensorflow.git\n'), undefined);
  });

  test('-r and -c includes are read through the resolver, relative to the including file', () => {
    const files: Record<string, string> = {
      'requirements/base.txt': 'numpy\n-c constraints.txt\n',
      'requirements/constraints.txt': 'tensorflow==2.14.1\n',
    };
    const asked: string[] = [];
    const resolve: IncludeResolver = (target, from) => {
      asked.push(`${from.name} -> ${target}`);
      const name = path.posix.normalize(path.posix.join(path.posix.dirname(from.name), target));
      return files[name] === undefined ? undefined : { name, text: files[name]! };
    };
    const version = projectKerasVersion([{ name: 'requirements.txt', text: '-r requirements/base.txt\ntensorflow\n' }], resolve);
    assert.deepEqual(plain(version), { major: 2, source: '`tensorflow==2.14.1` in requirements/constraints.txt (line 1)' });
    assert.deepEqual(asked, ['requirements.txt -> requirements/base.txt', 'requirements/base.txt -> constraints.txt']);
    // Every spelling of the option.
    for (const include of ['-r other.txt', '--requirement other.txt', '--requirement=other.txt', '-rother.txt', '--constraint other.txt']) {
      assert.equal(majorOf('requirements.txt', include, () => ({ name: 'other.txt', text: 'keras>=3' })), 3, include);
    }
  });

  test('include cycles end, and missing includes or no resolver give no evidence', () => {
    let reads = 0;
    const resolve: IncludeResolver = (target) => {
      reads++;
      return { name: target, text: `-r ${target === 'a.txt' ? 'b.txt' : 'a.txt'}\n` };
    };
    assert.equal(majorOf('requirements.txt', '-r a.txt\n', resolve), 'none');
    assert.ok(reads <= 3, `read ${reads} times`);
    assert.equal(majorOf('requirements.txt', '-r missing.txt\n', () => undefined), 'none');
    assert.equal(majorOf('requirements.txt', '-r other.txt\n'), 'none');
  });

  test('a file that includes a file already given is not read twice', () => {
    const requirements = projectRequirements(
      [
        { name: 'requirements.txt', text: 'tensorflow==2.15\n' },
        { name: 'requirements-dev.txt', text: '-r requirements.txt\npytest\n' },
      ],
      (target) => ({ name: target, text: 'tensorflow==2.15\n' }),
    );
    assert.equal(requirements.length, 1);
  });
});

describe('pyproject.toml', () => {
  test('PEP 621 dependencies, with the line of the string', () => {
    const text = '[project]\nname = "demo"\ndependencies = [\n  "numpy>=1.26",\n  "tensorflow>=2.16",\n]\n';
    assert.deepEqual(plain(projectKerasVersion([{ name: 'pyproject.toml', text }])), { major: 3, source: '`tensorflow>=2.16` in pyproject.toml (line 5)' });
  });

  test('PEP 621 optional dependencies and PEP 735 groups', () => {
    assert.equal(majorOf('pyproject.toml', '[project]\nname = "x"\n[project.optional-dependencies]\ngpu = ["tensorflow[and-cuda]==2.15.1"]\n'), 2);
    assert.equal(majorOf('pyproject.toml', '[dependency-groups]\ntrain = ["keras>=3.2", {include-group = "lint"}]\nlint = ["ruff"]\n'), 3);
  });

  test('Poetry: caret, tilde, exact, tables, arrays of tables, a table header, groups', () => {
    const poetry = (deps: string) => majorOf('pyproject.toml', `[tool.poetry.dependencies]\npython = "^3.10"\n${deps}\n`);
    assert.equal(poetry('tensorflow = "^2.15"'), undefined); // >=2.15,<3
    assert.equal(poetry('tensorflow = "^2.16"'), 3);
    assert.equal(poetry('tensorflow = "~2.15"'), 2); // >=2.15,<2.16
    assert.equal(poetry('tensorflow = "~2.15.1"'), 2);
    assert.equal(poetry('tensorflow = "~2"'), undefined);
    assert.equal(poetry('tensorflow = "2.15.0"'), 2);
    assert.equal(poetry('tensorflow = "2.15.*"'), 2);
    assert.equal(poetry('tensorflow = ">=2.10 <2.16"'), 2);
    assert.equal(poetry('tensorflow = ">= 2.10, < 2.16"'), 2);
    assert.equal(poetry('tensorflow = "2.15.0 || 2.14.1"'), 2);
    assert.equal(poetry('tensorflow = "2.15.0 || 2.16.1"'), undefined);
    assert.equal(poetry('tensorflow = "*"'), undefined);
    assert.equal(poetry('keras = "^3.0"'), 3);
    assert.equal(poetry('keras = "^2.13"'), 2);
    assert.equal(poetry('tensorflow = { version = ">=2.16", extras = ["and-cuda"] }'), 3);
    assert.equal(poetry('tensorflow = { git = "https://example.org/tensorflow.git" }'), undefined);
    assert.equal(
      poetry('tensorflow = [\n  { version = "2.15.0", platform = "linux" },\n  { version = "2.15.1", platform = "darwin" },\n]'),
      2,
    );
    assert.deepEqual(plain(projectKerasVersion([{ name: 'pyproject.toml', text: '[tool.poetry]\nname = "x"\n\n[tool.poetry.dependencies.tensorflow]\nversion = "~2.15"\n' }])), {
      major: 2,
      source: '`tensorflow = "~2.15"` in pyproject.toml (line 4)',
    });
    assert.equal(majorOf('pyproject.toml', '[tool.poetry.group.train.dependencies]\nkeras = ">=3"\n'), 3);
    assert.equal(majorOf('pyproject.toml', '[tool.poetry.dev-dependencies]\ntf-keras = "^2.16"\n'), 3);
  });

  test('PDM and uv development dependencies, uv overrides', () => {
    assert.equal(majorOf('pyproject.toml', '[tool.pdm.dev-dependencies]\ntrain = ["tensorflow~=2.15.0"]\n'), 2);
    assert.equal(majorOf('pyproject.toml', '[tool.uv]\ndev-dependencies = ["keras>=3"]\n'), 3);
    assert.equal(majorOf('pyproject.toml', '[tool.uv]\noverride-dependencies = ["tensorflow==2.16.2"]\n'), 3);
  });

  test('setuptools dynamic dependencies read the named requirements file', () => {
    const text = '[project]\nname = "x"\ndynamic = ["dependencies"]\n[tool.setuptools.dynamic]\ndependencies = {file = ["requirements.in"]}\n';
    assert.equal(majorOf('pyproject.toml', text, (target) => (target === 'requirements.in' ? { name: target, text: 'tensorflow<2.16\n' } : undefined)), 2);
  });

  test('the build system and tool settings are not dependencies', () => {
    assert.equal(majorOf('pyproject.toml', '[build-system]\nrequires = ["tensorflow>=2.16"]\n[tool.ruff]\nline-length = 100\n'), 'none');
  });

  test('malformed TOML gives no evidence and no crash', () => {
    for (const text of ['[project\ndependencies = ["tensorflow>=2.16"]', 'dependencies = [', '[project]\ndependencies = "tensorflow>=2.16"\n', '[project]\ndependencies = [1, {a = 2}]\n', '\u0000\u0001']) {
      assert.equal(majorOf('pyproject.toml', text), 'none', text);
    }
  });
});

describe('setup.cfg, setup.py, environment.yml and Pipfile', () => {
  test('setup.cfg: install_requires and extras, comments skipped', () => {
    const text = '[metadata]\nname = demo\n\n[options]\npackages = find:\ninstall_requires =\n    numpy\n    # tensorflow>=2.16\n    tensorflow<2.16  # Keras 2 code\npython_requires = >=3.9\n';
    assert.deepEqual(plain(projectKerasVersion([{ name: 'setup.cfg', text }])), { major: 2, source: '`tensorflow<2.16` in setup.cfg (line 9)' });
    assert.equal(majorOf('setup.cfg', '[options.extras_require]\ntrain =\n    keras>=3\n'), 3);
    assert.equal(majorOf('setup.cfg', '[metadata]\nkeywords = tensorflow>=2.16\n'), 'none');
    assert.equal(majorOf('setup.cfg', '[options\ninstall_requires = ==[[\n'), 'none');
  });

  test('setup.py: the string literals of install_requires, never comments or code', () => {
    const text = [
      'from setuptools import setup',
      '# install_requires=["tensorflow>=2.16"]',
      'setup(',
      '    name="demo",',
      '    install_requires=[',
      '        "numpy",  # "keras>=3" was tried',
      "        'tensorflow==2.12.0',",
      '    ],',
      ')',
    ].join('\n');
    assert.deepEqual(plain(projectKerasVersion([{ name: 'setup.py', text }])), { major: 2, source: '`tensorflow==2.12.0` in setup.py (line 7)' });
  });

  test('setup.py: a list bound to a name, extras (keys are not requirements), a kwargs dictionary', () => {
    assert.equal(majorOf('setup.py', 'REQUIRED = [\n    "keras>=3.0",\n]\nsetup(install_requires=REQUIRED)\n'), 3);
    assert.equal(majorOf('setup.py', 'setup(extras_require={"tensorflow": ["tensorflow~=2.15.0"]})\n'), 2);
    assert.equal(majorOf('setup.py', 'kwargs = {"install_requires": ["tf-keras>=2.16"]}\nsetup(**kwargs)\n'), 3);
    assert.equal(majorOf('setup.py', 'setup(install_requires=read_requirements())\n'), 'none');
    assert.equal(majorOf('setup.py', 'setup(install_requires=["tensorflow>=2.16"'), 3);
  });

  test('environment.yml: conda specs and the pip sublist', () => {
    const text = 'name: demo\nchannels:\n  - conda-forge\ndependencies:\n  - python=3.11\n  - numpy\n  - pip\n  - pip:\n    - tf-keras>=2.16  # legacy\n';
    assert.deepEqual(plain(projectKerasVersion([{ name: 'environment.yml', text }])), { major: 3, source: '`tf-keras>=2.16` in environment.yml (line 9)' });
    const conda = (spec: string) => majorOf('environment.yml', `dependencies:\n  - ${spec}\n`);
    assert.equal(conda('tensorflow=2.15'), 2); // fuzzy: 2.15.*
    assert.equal(conda('tensorflow=2'), undefined); // 2.*
    assert.equal(conda('tensorflow==2.16.1'), 3);
    assert.equal(conda('tensorflow>=2.16'), 3);
    assert.equal(conda('tensorflow >=2.10,<2.16'), 2);
    assert.equal(conda('tensorflow 2.15.*'), 2);
    assert.equal(conda('tensorflow 2.15.0 cuda120py311h0123456_0'), 2);
    assert.equal(conda('tensorflow=2.15=cuda*'), 2);
    assert.equal(conda('conda-forge::tensorflow-gpu=2.16'), 3);
    assert.equal(conda("tensorflow[version='>=2.16']"), 3);
    assert.equal(conda('"keras>=3"'), 3);
    assert.equal(conda('keras 2.15|2.14'), 2);
    assert.equal(conda('tensorflow'), undefined);
  });

  test('environment.yml: items at the key indentation, flow lists, -r in the pip list', () => {
    assert.equal(majorOf('environment.yml', 'dependencies:\n- python\n- tensorflow>=2.16\n'), 3);
    assert.equal(majorOf('environment.yml', 'dependencies: [python=3.11, "tensorflow 2.15.*"]\n'), 2);
    assert.equal(majorOf('environment.yml', 'dependencies:\n  - pip:\n    - -r requirements.txt\n', () => ({ name: 'requirements.txt', text: 'keras<3\n' })), 2);
    // A pin outside `dependencies` is not a dependency.
    assert.equal(majorOf('environment.yml', 'channels:\n  - tensorflow>=2.16\nvariables:\n  TF_VERSION: 2.15\n'), 'none');
  });

  test('malformed YAML gives no evidence and no crash', () => {
    for (const text of ['dependencies:\n  - {a: [b', 'dependencies: [tensorflow>=2.16', '::\n- - -\n  : :', 'dependencies:\n  -\n  - pip:\n']) {
      assert.equal(majorOf('environment.yml', text), 'none', text);
    }
  });

  test('Pipfile: packages, dev packages, tables; `*` pins nothing', () => {
    assert.deepEqual(plain(projectKerasVersion([{ name: 'Pipfile', text: '[[source]]\nurl = "https://pypi.org/simple"\n\n[packages]\nnumpy = "*"\ntensorflow = "==2.15.1"\n\n[requires]\npython_version = "3.11"\n' }])), {
      major: 2,
      source: '`tensorflow = "==2.15.1"` in Pipfile (line 6)',
    });
    assert.equal(majorOf('Pipfile', '[dev-packages]\nkeras = {version = ">=3", index = "pypi"}\n'), 3);
    assert.equal(majorOf('Pipfile', '[packages]\ntensorflow = "2.16.1"\n'), 3);
    assert.equal(majorOf('Pipfile', '[packages]\ntensorflow = "*"\n'), undefined);
    assert.equal(majorOf('Pipfile', '[packages\ntensorflow = "==2.15"'), 'none');
  });

  test('file kinds are recognised by name', () => {
    for (const name of ['requirements.txt', 'requirements-dev.txt', 'requirements_gpu.txt', 'pyproject.toml', 'setup.cfg', 'setup.py', 'Pipfile', 'environment.yml', 'environment.yaml', 'sub/dir/requirements.txt']) {
      assert.ok(isProjectFileName(name), name);
    }
    for (const name of ['Pipfile.lock', 'train.py', 'requirements.in', 'constraints.txt', 'conda.yml']) assert.ok(!isProjectFileName(name), name);
  });
});

describe('deciding from several requirements', () => {
  test('pins that agree decide, unpinned ones do not disturb them', () => {
    const version = projectKerasVersion([
      { name: 'pyproject.toml', text: '[project]\ndependencies = ["tensorflow>=2.10"]\n' },
      { name: 'requirements.txt', text: 'tensorflow==2.15.1\nkeras==2.15.0\n' },
    ]);
    assert.deepEqual(plain(version), { major: 2, source: '`tensorflow==2.15.1` in requirements.txt (line 1)' });
  });

  test('platform-specific pins of the same major decide', () => {
    assert.equal(majorOf('requirements.txt', 'tensorflow==2.15.0; sys_platform != "darwin"\ntensorflow-macos==2.15.0; sys_platform == "darwin"\n'), 2);
  });

  test('pins that disagree decide nothing, and say so', () => {
    const version = projectKerasVersion([
      { name: 'requirements.txt', text: 'tensorflow==2.15\n' },
      { name: 'pyproject.toml', text: '[project]\ndependencies = ["tensorflow>=2.16"]\n' },
    ]);
    assert.equal(version?.major, undefined);
    assert.match(version!.source, /^project files disagree: `tensorflow==2\.15` in requirements\.txt \(line 1\) means Keras 2, `tensorflow>=2\.16` in pyproject\.toml \(line 2\) Keras 3$/);
  });

  test('an unpinned requirement is named but decides nothing', () => {
    assert.deepEqual(plain(projectKerasVersion([{ name: 'requirements.txt', text: 'tensorflow\n' }])), {
      major: undefined,
      source: '`tensorflow` in requirements.txt (line 1) pins neither Keras 2 nor Keras 3',
    });
  });

  test('tf-keras decides nothing about the keras package: the names that use it are Keras 2 by themselves', () => {
    assert.deepEqual(plain(projectKerasVersion([{ name: 'requirements.txt', text: 'tensorflow\ntf-keras\n' }])), {
      major: undefined, source: '`tensorflow` in requirements.txt (line 1) pins neither Keras 2 nor Keras 3',
    });
    assert.equal(majorOf('requirements.txt', 'tensorflow==2.15.0\ntf-keras~=2.15.0\n'), 2);
    for (const text of ['tensorflow>=2.16\ntf-keras\n', 'keras>=3\ntf_keras\n']) assert.equal(majorOf('requirements.txt', text), 3, text);
  });

  test('pins narrow the minor version of the keras package', () => {
    const range = (text: string) => projectKerasVersion([{ name: 'requirements.txt', text }])?.range;
    assert.deepEqual(range('keras>=3.9\n'), { low: [3, 9] });
    assert.deepEqual(range('keras>=3.0,<3.8\n'), { low: [3, 0], high: [3, 8] });
    assert.deepEqual(range('keras<=3.7.2,>=3.2\n'), { low: [3, 2], high: [3, 8] });
    assert.deepEqual(range('tensorflow==2.15.*\n'), { low: [2, 15], high: [2, 16] });
    assert.deepEqual(range('tensorflow>=2.13,<2.15\n'), { low: [2, 13], high: [2, 15] });
    assert.deepEqual(range('tensorflow>=2.16\n'), { low: [3, 0] });
    assert.deepEqual(range('tensorflow>=2.17\nkeras>=3.5\n'), { low: [3, 5] });
    assert.equal(range('tensorflow==2.5.0\n'), undefined, 'TensorFlow before 2.7 bundles its own Keras');
    assert.equal(range('keras<3\n'), undefined, 'unbounded below');
  });
});

describe('precedence between the setting, the project and the file', () => {
  before(() => initParser());
  const keras3Project: KerasVersionInfo = { major: 3, source: '`tensorflow>=2.16` in requirements.txt (line 1)' };
  const keras2Project: KerasVersionInfo = { major: 2, source: '`tensorflow==2.15` in requirements.txt (line 1)' };
  const version = (text: string, projectVersion?: KerasVersionInfo, kerasVersion: '2' | '3' | 'auto' = 'auto') =>
    analyzeText(text, { ...defaultSettings, kerasVersion, projectVersion }).version;

  test('the kerasVersion setting decides the keras package over everything', () => {
    assert.deepEqual(version('import keras\n', keras2Project, '3'), { major: 3, source: 'the kerasVersion setting' });
    // tf_keras is Keras 2 whatever the setting says of `keras`.
    assert.deepEqual(version('import tf_keras\n', keras3Project, '3'), { major: 2, source: '`tf_keras` import (line 1)' });
    assert.deepEqual(version('import keras\nkeras.ops.add(1, 2)\n', keras3Project, '2'), { major: 2, source: 'the kerasVersion setting' });
  });

  test('a file whose names all use tf_keras is Keras 2 whatever the project installs', () => {
    assert.deepEqual(version('import tf_keras as keras\n', keras3Project), { major: 2, source: '`tf_keras` import (line 1)' });
    assert.deepEqual(version('import os\nos.environ["TF_USE_LEGACY_KERAS"] = "1"\nimport tensorflow as tf\n', keras3Project), {
      major: 2,
      source: '`TF_USE_LEGACY_KERAS` set before TensorFlow is imported (line 2)',
    });
    // Too late, or an off value: tf.keras stays what the project installs.
    assert.deepEqual(version('import tensorflow as tf\nimport os\nos.environ["TF_USE_LEGACY_KERAS"] = "1"\n', keras3Project), keras3Project);
    assert.deepEqual(version('import os\nos.environ["TF_USE_LEGACY_KERAS"] = "0"\nimport tensorflow as tf\n', keras3Project), keras3Project);
    assert.deepEqual(version('import os\nos.environ["TF_USE_LEGACY_KERAS"] = "TRUE"\nimport tensorflow as tf\n', keras3Project), keras3Project);
  });

  test('a file mixing implementations takes the keras package by default', () => {
    const text = 'import os\nos.environ["TF_USE_LEGACY_KERAS"] = "1"\nimport tensorflow as tf\nimport keras\nx = tf.keras.layers.Dense(1)\ny = keras.layers.Dense(1)\n';
    assert.deepEqual(version(text, keras3Project), keras3Project);
  });

  test('the project wins over the API use of the file', () => {
    assert.deepEqual(version('import keras\nx = keras.ops.add(1, 2)\n', keras2Project), keras2Project);
    assert.deepEqual(version('from keras.engine import base_layer\n', keras3Project), keras3Project);
    assert.deepEqual(version('import tensorflow as tf\n', keras3Project), keras3Project);
  });

  test('when the project decides nothing, the file does, and the project is still named otherwise', () => {
    const undecided: KerasVersionInfo = { major: undefined, source: '`tensorflow` in requirements.txt (line 1) pins neither Keras 2 nor Keras 3' };
    assert.deepEqual(version('import keras\nx = keras.ops.add(1, 2)\n', undecided), { major: 3, source: '`keras.ops` (line 2)' });
    assert.deepEqual(version('import tensorflow as tf\n', undecided), {
      major: undefined,
      source: 'no evidence in the file; `tensorflow` in requirements.txt (line 1) pins neither Keras 2 nor Keras 3',
    });
    assert.deepEqual(version('import tensorflow as tf\n'), { major: undefined, source: 'no evidence in the file' });
  });

  test("the project's version changes a rule's verdict (KSM402)", () => {
    const text = 'from tensorflow import keras\nm = keras.Sequential()\nm.fit_generator(gen, workers=4)\n';
    const severity = (projectVersion?: KerasVersionInfo) =>
      analyzeText(text, { ...defaultSettings, projectVersion }).findings.find((f) => f.code === 'KSM402')?.severity;
    assert.equal(severity(keras3Project), 'error');
    assert.equal(severity(keras2Project), 'warning');
    assert.equal(severity(undefined), 'warning');
  });
});

describe('ProjectVersions: finding and caching the project files', () => {
  let work: string;
  before(() => {
    work = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'ksm-project-')));
  });
  after(() => fs.rmSync(work, { recursive: true, force: true }));

  /** Writes files under a fresh project folder that is a repository root, so the walk stays inside it. */
  function project(name: string, files: Record<string, string>): string {
    const root = path.join(work, name);
    fs.mkdirSync(path.join(root, '.git'), { recursive: true });
    for (const [file, text] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
      fs.writeFileSync(path.join(root, file), text);
    }
    return root;
  }

  test('reads the nearest directory above the file, following includes', () => {
    const root = project('nearest', {
      'requirements.txt': '-r requirements/base.txt\n',
      'requirements/base.txt': 'numpy\ntensorflow==2.15.1\n',
      'src/pkg/train.py': '',
    });
    const versions = new ProjectVersions();
    assert.deepEqual(plain(versions.versionFor(path.join(root, 'src/pkg/train.py'))), {
      major: 2,
      source: '`tensorflow==2.15.1` in requirements/base.txt (line 2)',
    });
    assert.deepEqual(plain(versions.versionFor(path.join(root, 'src/pkg/train.py'), { namesRelativeTo: work })), {
      major: 2,
      source: `\`tensorflow==2.15.1\` in ${path.join('nearest', 'requirements', 'base.txt')} (line 2)`,
    });
  });

  test('a nearer directory whose files name neither TensorFlow nor Keras is passed over', () => {
    const root = project('passed-over', {
      'pyproject.toml': '[project]\nname = "x"\ndependencies = ["keras>=3"]\n',
      'examples/plot/requirements.txt': 'matplotlib\n',
      'examples/plot/train.py': '',
      'examples/own/requirements.txt': 'tensorflow==2.15\n',
      'examples/own/train.py': '',
    });
    const versions = new ProjectVersions();
    assert.equal(versions.versionFor(path.join(root, 'examples/plot/train.py'))?.major, 3);
    assert.equal(versions.versionFor(path.join(root, 'examples/own/train.py'))?.major, 2);
  });

  test('the walk stops at a repository root and at stopAt', () => {
    const root = project('stops', { 'requirements.txt': 'tensorflow>=2.16\n', 'inner/train.py': '' });
    fs.mkdirSync(path.join(root, 'vendored', '.git'), { recursive: true });
    fs.writeFileSync(path.join(root, 'vendored', 'train.py'), '');
    const versions = new ProjectVersions();
    assert.equal(versions.versionFor(path.join(root, 'vendored', 'train.py')), undefined);
    assert.equal(versions.versionFor(path.join(root, 'inner', 'train.py'), { stopAt: path.join(root, 'inner') }), undefined);
    assert.equal(versions.versionFor(path.join(root, 'inner', 'train.py'), { stopAt: root })?.major, 3);
    // A stopAt that does not hold the file does not apply.
    assert.equal(versions.versionFor(path.join(root, 'inner', 'train.py'), { stopAt: path.join(work, 'elsewhere') })?.major, 3);
  });

  test('invalidate forgets a changed, created or included file; other changes keep the cache', () => {
    const root = project('cache', { 'requirements.txt': '-r shared/pins.txt\n', 'shared/pins.txt': 'tensorflow==2.15\n', 'app/train.py': '' });
    const train = path.join(root, 'app', 'train.py');
    const versions = new ProjectVersions();
    assert.equal(versions.versionFor(train)?.major, 2);

    fs.writeFileSync(path.join(root, 'shared/pins.txt'), 'tensorflow==2.16.1\n');
    assert.equal(versions.versionFor(train)?.major, 2, 'cached until told');
    assert.equal(versions.invalidate(path.join(root, 'app', 'train.py')), false);
    assert.equal(versions.invalidate(path.join(root, 'shared/pins.txt')), true);
    assert.equal(versions.versionFor(train)?.major, 3);

    // A dependency file created nearer to the Python file.
    fs.writeFileSync(path.join(root, 'app', 'environment.yml'), 'dependencies:\n  - tensorflow=2.15\n');
    assert.equal(versions.invalidate(path.join(root, 'app', 'environment.yml')), true);
    assert.deepEqual(plain(versions.versionFor(train)), { major: 2, source: '`tensorflow=2.15` in environment.yml (line 2)' });

    fs.rmSync(path.join(root, 'app', 'environment.yml'));
    versions.invalidate(path.join(root, 'app', 'environment.yml'));
    assert.equal(versions.versionFor(train)?.major, 3);
    versions.clear();
    assert.equal(versions.versionFor(train)?.major, 3);
  });

  test('unreadable, oversized and binary-looking files give no evidence and no crash', () => {
    const root = project('odd', { 'pyproject.toml': '\u0000\u0001\u0002', 'requirements.txt': 'x'.repeat(2 * 1024 * 1024) + '\ntensorflow>=2.16\n', 'train.py': '' });
    fs.mkdirSync(path.join(root, 'setup.cfg'));
    assert.equal(new ProjectVersions().versionFor(path.join(root, 'train.py')), undefined);
  });
});
