// Shared by every kernel file: makes the same source compile with nvcc (fatbin) and with the host C++
// compiler against native/cuda_emu.h (CPU execution for tests and CI).
#pragma once
#ifndef __CUDACC__
#include "cuda_emu.h"
#else
// Dynamic shared memory (the size given at launch). Written as a macro because `extern __shared__` has no
// host C++ equivalent: under the emulation the macro yields a pointer to the block's shared arena instead.
#define BADFL_DYNAMIC_SHARED(T, name)                                      \
    extern __shared__ __align__(16) unsigned char badfl_dynamic_shared_[]; \
    T* name = reinterpret_cast<T*>(badfl_dynamic_shared_)
#endif

// Index types: element counts of one update row fit in int (Java arrays), whole n x d matrices do not.
typedef long long badfl_index;
