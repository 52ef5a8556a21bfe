import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { describe, it } from 'node:test';
import { LEAVE, openScreen } from '../../../src/tui/screen.js';

class FakeTerminal extends EventEmitter {
  out = '';
  columns = 100;
  rows = 30;
  isTTY = true;
  write(s: string | Uint8Array, cb?: (e?: Error | null) => void): boolean {
    this.out += s.toString();
    cb?.(null);
    return true;
  }
}

describe('the screen', () => {
  it('enters the alternate screen, and leaves it and shows the cursor exactly once', async () => {
    const t = new FakeTerminal();
    const screen = openScreen(t as unknown as NodeJS.WriteStream);
    assert.ok(t.out.startsWith('\u001b[?1049h'));
    await new Promise<void>((r) => screen.stream.write('frame', () => r()));
    assert.ok(t.out.includes('frame'));
    assert.equal(screen.stream.columns, 100);
    screen.restore();
    screen.restore();
    screen.stream.write('late frame');
    screen.write('late osc');
    assert.equal(t.out.split(LEAVE).length, 2);
    assert.ok(t.out.endsWith(LEAVE));
  });

  it('redraws from a clean screen on resize and tells ink', () => {
    const t = new FakeTerminal();
    const screen = openScreen(t as unknown as NodeJS.WriteStream);
    let told = 0;
    screen.stream.on('resize', () => told++);
    t.columns = 80;
    t.emit('resize');
    assert.equal(told, 1);
    assert.equal(screen.stream.columns, 80);
    screen.restore();
    t.emit('resize');
    assert.equal(told, 1);
  });
});
