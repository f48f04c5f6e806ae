// Two suites at a time: stable on 2 cores (timing bounds include slack for it) and about half the serial run time.
module.exports = require('../../jest.preset.js')(__dirname, { maxWorkers: 2 });
