// "Device" memory of the CUDA emulation: host allocations addressed by their address, poisoned on allocation,
// with canary zones that catch kernels writing past either end of a buffer.
#include "emu_runtime.h"

#include <cstdlib>
#include <map>
#include <mutex>
#include <sstream>

namespace cuda_emu {
namespace {

constexpr uint64_t kAlign = 256;      // cudaMalloc's guaranteed alignment
constexpr uint64_t kCanary = 256;     // bytes of canary on each side
constexpr unsigned char kCanaryByte = 0xA5;
constexpr unsigned char kPoisonByte = 0xFF; // NaN for float/double, -1 for integers

struct Allocation {
    unsigned char* raw;  // canary | user bytes rounded up to kAlign | canary
    uint64_t bytes;      // user-visible size
    uint64_t rounded;
};

std::mutex& mem_mutex() {
    static std::mutex m;
    return m;
}

std::map<uint64_t, Allocation>& allocations() {
    static std::map<uint64_t, Allocation>* m = new std::map<uint64_t, Allocation>();
    return *m;
}

uint64_t live_bytes = 0;

std::string hex(uint64_t v) {
    std::ostringstream s;
    s << "0x" << std::hex << v;
    return s.str();
}

// The allocation whose user range contains [address, address + bytes], or null. Caller holds mem_mutex.
const std::pair<const uint64_t, Allocation>* find_locked(uint64_t address, uint64_t bytes) {
    auto& m = allocations();
    auto it = m.upper_bound(address);
    if (it == m.begin()) {
        return nullptr;
    }
    --it;
    const uint64_t base = it->first;
    if (address < base || address - base > it->second.bytes || bytes > it->second.bytes - (address - base)) {
        return nullptr;
    }
    return &*it;
}

// Index of the first byte that is not kCanaryByte in [p, p + n), or n.
uint64_t first_damaged(const unsigned char* p, uint64_t n) {
    for (uint64_t i = 0; i < n; i++) {
        if (p[i] != kCanaryByte) return i;
    }
    return n;
}

} // namespace

uint64_t mem_alloc(uint64_t bytes) {
    if (bytes == 0) {
        throw BadArgument("allocation size must be > 0 bytes");
    }
    if (bytes > (uint64_t(1) << 46)) {
        throw BadArgument("allocation of " + std::to_string(bytes) + " bytes is larger than any device memory");
    }
    const uint64_t rounded = (bytes + kAlign - 1) / kAlign * kAlign;
    void* raw = nullptr;
    if (posix_memalign(&raw, kAlign, kCanary + rounded + kCanary) != 0) {
        throw std::bad_alloc();
    }
    unsigned char* r = static_cast<unsigned char*>(raw);
    std::memset(r, kCanaryByte, kCanary);
    std::memset(r + kCanary, kPoisonByte, bytes);
    std::memset(r + kCanary + bytes, kCanaryByte, rounded - bytes + kCanary);
    const uint64_t handle = reinterpret_cast<uint64_t>(r + kCanary);
    std::lock_guard<std::mutex> lock(mem_mutex());
    allocations()[handle] = Allocation{r, bytes, rounded};
    live_bytes += bytes;
    return handle;
}

void mem_free(uint64_t handle) {
    std::lock_guard<std::mutex> lock(mem_mutex());
    auto& m = allocations();
    auto it = m.find(handle);
    if (it == m.end()) {
        throw BadArgument("free of " + hex(handle) + ": not the start of a live allocation (freed twice, or never allocated)");
    }
    live_bytes -= it->second.bytes;
    free(it->second.raw);
    m.erase(it);
}

void mem_check_range(uint64_t address, uint64_t bytes, const char* what) {
    std::lock_guard<std::mutex> lock(mem_mutex());
    if (find_locked(address, bytes) == nullptr) {
        throw BadArgument(std::string(what) + ": " + std::to_string(bytes) + " bytes at " + hex(address)
                          + " are not inside one live allocation (freed buffer, wrong device, or out of bounds)");
    }
}

void mem_check_canaries(const std::vector<uint64_t>& addresses, const char* kernelName) {
    std::lock_guard<std::mutex> lock(mem_mutex());
    std::string problems;
    for (size_t k = 0; k < addresses.size(); k++) {
        const auto* a = find_locked(addresses[k], 0);
        if (a == nullptr) {
            continue;
        }
        const Allocation& al = a->second;
        unsigned char* user = al.raw + kCanary;
        const uint64_t tail = al.rounded - al.bytes + kCanary;
        uint64_t before = first_damaged(al.raw, kCanary);
        uint64_t after = first_damaged(user + al.bytes, tail);
        if (before == kCanary && after == tail) {
            continue;
        }
        std::ostringstream s;
        s << "kernel '" << kernelName << "' wrote outside the buffer passed as pointer argument " << k
          << " (allocation of " << al.bytes << " bytes at " << hex(a->first) << "): ";
        if (after < tail) s << "byte " << after << " after its end";
        if (before < kCanary && after < tail) s << " and ";
        if (before < kCanary) s << "byte " << (kCanary - before) << " before its start";
        if (!problems.empty()) problems += "; ";
        problems += s.str();
        std::memset(al.raw, kCanaryByte, kCanary); // re-arm so the next launch is checked afresh
        std::memset(user + al.bytes, kCanaryByte, tail);
    }
    if (!problems.empty()) {
        throw KernelFault(problems);
    }
}

uint64_t mem_live_allocations() {
    std::lock_guard<std::mutex> lock(mem_mutex());
    return allocations().size();
}

uint64_t mem_live_bytes() {
    std::lock_guard<std::mutex> lock(mem_mutex());
    return live_bytes;
}

} // namespace cuda_emu
