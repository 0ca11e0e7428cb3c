#!/usr/bin/python3
"""Checkpoints made by other tools than this repository's writers, for the importer's tests.

Run once, offline, with Debian's python3-torch (1.13) and numpy:
    apt-get install -y python3-torch
    /usr/bin/python3 tests/CondInst.Kernels.Tests/Fixtures/independent/make_independent.py
The tests never run Python. Every tensor's values follow a formula the tests recompute:
    v[i] = (i % 17) * 0.25 - 2   for float dtypes (exact in float16/bfloat16),  v[i] = i * 3 - 7  for ints,
    v[i] = i % 3 == 0  for bool, with i the C-order flat index.
"""
import json
import os
import struct

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))


def values(n, dtype):
    i = np.arange(n)
    if dtype in ('f', 'float'):
        return (i % 17) * 0.25 - 2
    if dtype == 'bool':
        return i % 3 == 0
    return i * 3 - 7


def torch_tensor(shape, dtype):
    n = int(np.prod(shape))
    kind = 'bool' if dtype == torch.bool else ('f' if dtype.is_floating_point else 'i')
    return torch.tensor(values(n, kind)).to(dtype).reshape(shape)


META = {
    'int31': 2 ** 31,             # LONG1 of 5 bytes: must stay an int, not become a float
    'int40': 2 ** 40,
    'neg33': -(2 ** 33),
    'int63': 2 ** 63 - 1,
    'small': 7,
    'text': 'protocol test',
    'config': "model = dict(test_cfg=dict(score_thr=0.25, nms_pre=500, max_per_img=20))\n"
              "test_pipeline = [dict(type='Resize', scale=(640, 480), keep_ratio=True)]\n",
}


def state():
    return {
        'w_f32': torch_tensor((4, 3, 2), torch.float32),
        'w_f16': torch_tensor((5,), torch.float16),
        'w_bf16': torch_tensor((2, 3), torch.bfloat16),
        'w_f64': torch_tensor((3,), torch.float64),
        'w_i64': torch_tensor((2, 2), torch.int64),
        'w_bool': torch_tensor((4,), torch.bool),
        'scalar': torch_tensor((), torch.float32),
        'empty': torch_tensor((0, 3), torch.float32),
    }


def save_protocols():
    for proto in (2, 4, 5):
        torch.save({'state_dict': state(), 'meta': META}, os.path.join(HERE, f'proto{proto}.pth'), pickle_protocol=proto)
    # The legacy (non-zip) format with protocol 4: FRAME opcodes in all five pickles.
    torch.save({'state_dict': state(), 'meta': META}, os.path.join(HERE, 'proto4_legacy.pth'),
               pickle_protocol=4, _use_new_zipfile_serialization=False)


class Tied(torch.nn.Module):
    """A module whose state dict shares storages: a tied weight, a slice view and a transposed view."""

    def __init__(self):
        super().__init__()
        self.a = torch.nn.Linear(3, 4)
        self.b = torch.nn.Linear(3, 4)
        self.b.weight = self.a.weight                      # same storage, same view
        base = torch_tensor((20,), torch.float32)
        self.register_buffer('base', base)
        self.register_buffer('slice', base[5:11].view(2, 3))   # storage offset 5
        self.register_buffer('transposed', base[:12].view(3, 4).t())  # non-contiguous strides (1, 4)
        with torch.no_grad():
            self.a.weight.copy_(torch_tensor((4, 3), torch.float32))
            self.a.bias.copy_(torch_tensor((4,), torch.float32))
            self.b.bias.copy_(torch_tensor((4,), torch.float32) * 2)


def save_shared():
    torch.save(Tied().state_dict(), os.path.join(HERE, 'shared_state_dict.pth'))


# safetensors, written from the format's description (not by any safetensors library nor this repository):
# u64 little-endian header length N, N bytes of UTF-8 JSON {name: {dtype, shape, data_offsets: [begin, end]},
# "__metadata__": {str: str}}, padded with spaces here to a multiple of 8, then the tensors' bytes back to back.
ST_DTYPES = [('F32', '<f4', 'f'), ('F16', '<f2', 'f'), ('BF16', None, 'f'), ('F64', '<f8', 'f'),
             ('I64', '<i8', 'i'), ('I32', '<i4', 'i'), ('I8', 'i1', 'i'), ('U8', 'u1', 'u'), ('BOOL', '?', 'bool')]


def st_bytes(st, np_dtype, kind, shape):
    n = int(np.prod(shape))
    v = values(n, kind)
    if kind == 'u':
        v = v % 256
    if st == 'BF16':   # top 16 bits of the float32 pattern (these values are exact in bfloat16)
        return (np.asarray(v, '<f4').view('<u4') >> 16).astype('<u2').tobytes()
    return np.asarray(v).astype(np_dtype).tobytes()


def save_safetensors():
    shapes = {'F32': (2, 3, 4), 'F16': (7,), 'BF16': (3, 2), 'F64': (2,), 'I64': (3,), 'I32': (2, 2), 'I8': (5,),
              'U8': (6,), 'BOOL': (4,)}
    header, blobs, offset = {}, [], 0
    # Declared in reverse data order: the header's key order must not matter.
    order = list(ST_DTYPES)
    for st, np_dtype, kind in order:
        data = st_bytes(st, np_dtype, kind, shapes[st])
        header['t_' + st.lower()] = {'dtype': st, 'shape': list(shapes[st]), 'data_offsets': [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    header['scalar'] = {'dtype': 'F32', 'shape': [], 'data_offsets': [offset, offset + 4]}
    blobs.append(np.asarray([values(1, 'f')[0]], '<f4').tobytes())
    offset += 4
    header['empty'] = {'dtype': 'F32', 'shape': [0, 5], 'data_offsets': [offset, offset]}
    header['__metadata__'] = {'format': 'pt', 'note': 'written by make_independent.py from the format description'}
    items = list(header.items())
    items.reverse()
    text = json.dumps(dict(items)).encode('utf-8')
    text += b' ' * ((8 - len(text) % 8) % 8)
    with open(os.path.join(HERE, 'independent.safetensors'), 'wb') as f:
        f.write(struct.pack('<Q', len(text)))
        f.write(text)
        for b in blobs:
            f.write(b)


if __name__ == '__main__':
    save_protocols()
    save_shared()
    save_safetensors()
