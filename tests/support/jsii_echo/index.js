'use strict';
// A test assembly for tests/test_bridge.py: JavaScript that prints.
class Echo {
  static say(text) {
    console.log(`stdout: ${text}`);
    process.stderr.write(`stderr: ${text}\n`);
    return text.toUpperCase();
  }
}
Object.defineProperty(Echo, Symbol.for('jsii.rtti'), { value: { fqn: 'opsgen-echo.Echo', version: '0.0.1' } });
exports.Echo = Echo;
