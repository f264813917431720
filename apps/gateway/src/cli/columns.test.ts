import { describe, expect, it } from 'vitest';
import { columns, labelColumn, labelWidth } from './columns.ts';

describe('terminal columns', () => {
  it('counts East Asian wide characters as two, everything else as one', () => {
    expect(columns('Username')).toBe(8);
    expect(columns('ユーザー名')).toBe(10); // ー is Common script, still wide
    expect(columns('사용자 이름')).toBe(11);
    expect(columns('使用者名稱：')).toBe(12);
    expect(columns('Użytkownik')).toBe(10);
    expect(columns('𠀋')).toBe(2);
  });

  it('lines values up after labels of any script', () => {
    const width = labelWidth(['アドレス', 'ユーザー名']);
    expect(width).toBe(12);
    expect(labelColumn('アドレス', width)).toBe('アドレス:   ');
    expect(labelColumn('ユーザー名', width)).toBe('ユーザー名: ');
    expect(labelColumn('Address', labelWidth(['Address', 'Username']))).toBe('Address:  ');
    expect(labelColumn('too long for it', 4)).toBe('too long for it: ');
  });
});
