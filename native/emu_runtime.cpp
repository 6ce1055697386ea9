// Launch engine of the CUDA emulation: blocks over worker threads, each block's threads as fibers.
// See cuda_emu.h for the execution model and its limits.
#include "emu_runtime.h"

#include <atomic>
#include <condition_variable>
#include <csignal>
#include <mutex>
#include <sstream>
#include <thread>

#include <pthread.h>
#include <sys/mman.h>
#include <unistd.h>

// The hand-written switch on x86-64; POSIX ucontext elsewhere (or with -DBADFL_EMU_FORCE_UCONTEXT, to test it).
#if defined(__x86_64__) && !defined(BADFL_EMU_FORCE_UCONTEXT)
#define BADFL_EMU_ASM_SWITCH 1
#else
#include <ucontext.h>
#endif

namespace cuda_emu {

namespace {

// ---- fibers ------------------------------------------------------------------------------------------------
// A fiber's memory is one kFiberRegionBytes-aligned region: [guard page][stack ... ][ThreadContext][colour gap],
// so current() finds the context from the stack pointer (cuda_emu.h), and a stack overflow faults on the guard.

struct Fiber {
    unsigned char* region = nullptr;
    unsigned char* stackLow = nullptr; // lowest usable stack byte
#if defined(BADFL_EMU_ASM_SWITCH)
    void* sp = nullptr;
#else
    ucontext_t uc;
#endif
};

struct Worker;

[[noreturn]] void fiber_main();

} // namespace
} // namespace cuda_emu

#if defined(BADFL_EMU_ASM_SWITCH)
// badfl_emu_switch(save, load): saves the callee-saved registers on the current stack, stores the stack pointer
// in *save, switches to `load` and restores the registers saved there (System V AMD64 ABI: rbx, rbp, r12-r15;
// MXCSR and the x87 control word are left alone: every fiber of a worker uses the same floating-point mode).
extern "C" void badfl_emu_switch(void** save, void* load);
asm(R"(
    .text
    .p2align 4
    .globl badfl_emu_switch
    .hidden badfl_emu_switch
    .type badfl_emu_switch, @function
badfl_emu_switch:
    pushq %rbp
    pushq %rbx
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    movq %rsp, (%rdi)
    movq %rsi, %rsp
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %rbx
    popq %rbp
    ret
    .size badfl_emu_switch, .-badfl_emu_switch
)");
#endif

namespace cuda_emu {
namespace {

enum ThreadState : uint8_t { UNSTARTED, RUNNING, READY, WAIT_BLOCK, WAIT_WARP, DONE };

struct ThreadSlot {
    Fiber* fiber;
    dim3 idx;
    uint32_t waitMask;
    uint8_t state;
};

struct WarpState {
    uint32_t exists;  // lanes that are threads of the block
    uint32_t done;    // lanes whose thread returned (or that do not exist)
    uint32_t arrived; // lanes waiting at a warp barrier
    uint64_t slot[32];
};

struct Job;

// One block being executed by one worker thread.
struct BlockRun {
    const Job* job = nullptr;
    dim3 bidx;
    unsigned T = 0;
    unsigned nextUnstarted = 0;
    unsigned doneCount = 0;
    unsigned blockArrived = 0;
    std::vector<ThreadSlot> threads;
    std::vector<WarpState> warps;
    std::vector<unsigned> ready;
    size_t readyHead = 0;
};

struct Job {
    const KernelInfo* kernel;
    const void* bound;
    dim3 grid, block;
    size_t shared;
    uint64_t totalBlocks;
    std::atomic<uint64_t> nextBlock{0};
    std::atomic<bool> failed{false};
    std::mutex errorMutex;
    std::string error;

    void fail(const std::string& message) {
        std::lock_guard<std::mutex> lock(errorMutex);
        if (!failed.exchange(true)) {
            error = message;
        }
    }
};

struct Worker {
    BlockRun block;
    Fiber* current = nullptr;
    std::vector<Fiber*> idle;
    std::vector<Fiber*> all;
    unsigned char* shared = nullptr; // dynamic shared memory arena, kMaxDynamicShared bytes, 64-byte aligned
#if defined(BADFL_EMU_ASM_SWITCH)
    void* schedulerSp = nullptr;
#else
    ucontext_t schedulerUc;
#endif

    Worker() {
        void* p = nullptr;
        if (posix_memalign(&p, 64, kMaxDynamicShared) != 0) {
            throw std::bad_alloc();
        }
        shared = static_cast<unsigned char*>(p);
    }
    ~Worker() {
        for (Fiber* f : all) {
            munmap(f->region, kFiberRegionBytes);
            delete f;
        }
        free(shared);
    }
};

ThreadContext& context_of(Fiber* f) {
    const uintptr_t region = reinterpret_cast<uintptr_t>(f->region);
    const uintptr_t color = (region / kFiberRegionBytes) % kFiberColors;
    return *reinterpret_cast<ThreadContext*>(region + kFiberRegionBytes - kFiberContextBytes - color * kFiberColorStride);
}

#if defined(BADFL_EMU_ASM_SWITCH)
[[noreturn]] void fiber_trampoline() { fiber_main(); }

// Lays out a fresh stack so that the first switch "returns" into fiber_trampoline with the stack aligned as
// after a call (rsp = 16n + 8), the six callee-saved register slots zero.
void fiber_reset(Fiber* f) {
    uintptr_t top = reinterpret_cast<uintptr_t>(&context_of(f)); // the stack grows down from its context
    void** sp = reinterpret_cast<void**>(top);
    *--sp = nullptr;                                            // fake return address of the trampoline
    *--sp = reinterpret_cast<void*>(&fiber_trampoline);         // where badfl_emu_switch's ret goes
    for (int i = 0; i < 6; i++) {
        *--sp = nullptr;                                        // r15 r14 r13 r12 rbx rbp
    }
    f->sp = sp;
}
#else
void fiber_entry_ucontext() { fiber_main(); }

void fiber_reset(Fiber* f) {
    getcontext(&f->uc);
    f->uc.uc_stack.ss_sp = f->stackLow;
    f->uc.uc_stack.ss_size = (size_t)(reinterpret_cast<unsigned char*>(&context_of(f)) - f->stackLow);
    f->uc.uc_link = nullptr;
    makecontext(&f->uc, &fiber_entry_ucontext, 0);
}
#endif

Fiber* fiber_new(Worker& w) {
    const size_t page = (size_t)sysconf(_SC_PAGESIZE);
    // Map twice the region and keep the aligned middle.
    const size_t span = 2 * kFiberRegionBytes;
    void* m = mmap(nullptr, span, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (m == MAP_FAILED) {
        throw std::bad_alloc();
    }
    uintptr_t start = reinterpret_cast<uintptr_t>(m);
    uintptr_t aligned = (start + kFiberRegionBytes - 1) & ~(kFiberRegionBytes - 1);
    if (aligned > start) munmap(m, aligned - start);
    uintptr_t end = aligned + kFiberRegionBytes;
    if (start + span > end) munmap(reinterpret_cast<void*>(end), start + span - end);
    static_assert(sizeof(ThreadContext) <= kFiberContextBytes, "context slot");
    unsigned char* region = reinterpret_cast<unsigned char*>(aligned);
    mprotect(region, page, PROT_NONE); // guard page below the stack
    Fiber* f = new Fiber();
    f->region = region;
    f->stackLow = region + page;
    ThreadContext& c = context_of(f);
    std::memset(&c, 0, sizeof c);
    c.worker = &w;
    c.fiber = f;
    fiber_reset(f);
    w.all.push_back(f);
    return f;
}

// Switches from the scheduler into fiber f.
void resume(Worker& w, Fiber* f) {
    w.current = f;
#if defined(BADFL_EMU_ASM_SWITCH)
    badfl_emu_switch(&w.schedulerSp, f->sp);
#else
    swapcontext(&w.schedulerUc, &f->uc);
#endif
}

// Switches from the running fiber back to the scheduler.
void suspend(Worker& w) {
    Fiber* f = w.current;
#if defined(BADFL_EMU_ASM_SWITCH)
    badfl_emu_switch(&f->sp, w.schedulerSp);
#else
    swapcontext(&f->uc, &w.schedulerUc);
#endif
}

void make_ready(BlockRun& b, unsigned t) {
    b.threads[t].state = READY;
    b.ready.push_back(t);
}

void release_block_barrier(BlockRun& b) {
    for (unsigned t = 0; t < b.T; t++) {
        if (b.threads[t].state == WAIT_BLOCK) {
            make_ready(b, t);
        }
    }
    b.blockArrived = 0;
}

// Releases lanes waiting at a warp barrier whose mask is now complete (every lane of it arrived or exited).
void release_complete_warp_groups(BlockRun& b, unsigned warp) {
    WarpState& ws = b.warps[warp];
    uint32_t waiting = ws.arrived;
    while (waiting != 0) {
        unsigned lane = (unsigned)__builtin_ctz(waiting);
        uint32_t m = b.threads[warp * 32 + lane].waitMask;
        if ((m & ~ws.done & ~ws.arrived) == 0) {
            uint32_t rel = m & ws.arrived;
            ws.arrived &= ~rel;
            waiting &= ~rel;
            while (rel != 0) {
                unsigned l = (unsigned)__builtin_ctz(rel);
                rel &= rel - 1;
                make_ready(b, warp * 32 + l);
            }
        } else {
            waiting &= waiting - 1;
        }
    }
}

void finish_thread(BlockRun& b, unsigned t) {
    b.threads[t].state = DONE;
    b.doneCount++;
    WarpState& ws = b.warps[t >> 5];
    ws.done |= 1u << (t & 31);
    if (b.blockArrived > 0 && b.blockArrived + b.doneCount == b.T) {
        release_block_barrier(b);
    }
    if (ws.arrived != 0) {
        release_complete_warp_groups(b, t >> 5);
    }
}

// Body of every fiber: runs unstarted threads of the current block to completion (or until they block),
// then parks itself as idle. A fiber is reused for later blocks and launches by the same worker.
[[noreturn]] void fiber_main() {
    ThreadContext& c = current();
    Worker& w = *static_cast<Worker*>(c.worker);
    Fiber* self = static_cast<Fiber*>(c.fiber);
    for (;;) {
        BlockRun& b = w.block;
        const Job& job = *b.job;
        while (b.nextUnstarted < b.T) {
            unsigned t = b.nextUnstarted++;
            b.threads[t].fiber = self;
            b.threads[t].state = RUNNING;
            c.tidx = uint3{b.threads[t].idx.x, b.threads[t].idx.y, b.threads[t].idx.z};
            c.tid = t;
            c.bidx = uint3{b.bidx.x, b.bidx.y, b.bidx.z};
            c.bdim = uint3{job.block.x, job.block.y, job.block.z};
            c.gdim = uint3{job.grid.x, job.grid.y, job.grid.z};
            c.dynamicShared = w.shared;
            job.kernel->invoke(job.bound);
            finish_thread(b, t);
        }
        w.idle.push_back(self);
        suspend(w);
    }
}

std::string describe_deadlock(const BlockRun& b, dim3 bidx) {
    unsigned atBlock = 0, atWarp = 0;
    long firstBlock = -1, firstWarp = -1;
    for (unsigned t = 0; t < b.T; t++) {
        if (b.threads[t].state == WAIT_BLOCK) {
            atBlock++;
            if (firstBlock < 0) firstBlock = t;
        } else if (b.threads[t].state == WAIT_WARP) {
            atWarp++;
            if (firstWarp < 0) firstWarp = t;
        }
    }
    std::ostringstream s;
    s << "kernel '" << b.job->kernel->name << "' deadlocked in block (" << bidx.x << "," << bidx.y << "," << bidx.z
      << "): " << atBlock << " thread(s) wait at __syncthreads and " << atWarp
      << " at warp-synchronous operations (__shfl*_sync/__syncwarp/__ballot_sync) that the other threads never reach; "
      << b.doneCount << " of " << b.T << " threads returned";
    auto where = [&](long t) {
        dim3 i = b.threads[t].idx;
        std::ostringstream o;
        o << "(" << i.x << "," << i.y << "," << i.z << ")";
        return o.str();
    };
    if (firstBlock >= 0) s << "; first waiting at __syncthreads: thread " << where(firstBlock);
    if (firstWarp >= 0) s << "; first waiting at a warp operation: thread " << where(firstWarp);
    return s.str();
}

// Runs one block on the calling worker thread. Returns false (and sets the job's error) on deadlock.
bool run_block(Worker& w, const Job& job, dim3 bidx) {
    BlockRun& b = w.block;
    const unsigned T = b.T;
    b.nextUnstarted = 0;
    b.doneCount = 0;
    b.blockArrived = 0;
    b.ready.clear();
    b.readyHead = 0;
    for (unsigned t = 0; t < T; t++) {
        b.threads[t].state = UNSTARTED;
        b.threads[t].fiber = nullptr;
    }
    for (size_t k = 0; k < b.warps.size(); k++) {
        unsigned lanes = T - (unsigned)k * 32 < 32 ? T - (unsigned)k * 32 : 32;
        uint32_t exists = lanes == 32 ? 0xffffffffu : ((1u << lanes) - 1);
        b.warps[k].exists = exists;
        b.warps[k].done = ~exists;
        b.warps[k].arrived = 0;
    }
    b.bidx = bidx;
    if (job.shared > 0) {
        std::memset(w.shared, 0xFF, job.shared); // unwritten shared memory reads as NaN
    }
    for (;;) {
        Fiber* f;
        if (b.readyHead < b.ready.size()) {
            unsigned t = b.ready[b.readyHead++];
            if (b.readyHead == b.ready.size()) {
                b.ready.clear();
                b.readyHead = 0;
            }
            b.threads[t].state = RUNNING;
            f = b.threads[t].fiber;
        } else if (b.nextUnstarted < T) {
            if (w.idle.empty()) {
                f = fiber_new(w);
            } else {
                f = w.idle.back();
                w.idle.pop_back();
            }
        } else {
            break;
        }
        resume(w, f);
    }
    if (b.doneCount == T) {
        return true;
    }
    const_cast<Job&>(job).fail(describe_deadlock(b, bidx));
    // The waiting fibers never resume: rewind their stacks and give them back to the pool.
    for (unsigned t = 0; t < T; t++) {
        ThreadSlot& s = b.threads[t];
        if (s.state == WAIT_BLOCK || s.state == WAIT_WARP) {
            fiber_reset(s.fiber);
            w.idle.push_back(s.fiber);
            s.state = DONE;
        }
    }
    return false;
}

void run_job(Job& job, Worker& w) {
    const unsigned T = job.block.x * job.block.y * job.block.z;
    BlockRun& b = w.block;
    b.job = &job;
    b.T = T;
    b.threads.resize(T);
    for (unsigned t = 0; t < T; t++) {
        b.threads[t].idx = dim3(t % job.block.x, (t / job.block.x) % job.block.y, t / (job.block.x * job.block.y));
    }
    b.warps.resize((T + 31) / 32);
    b.ready.reserve(T);
    const uint64_t gx = job.grid.x, gy = job.grid.y;
    for (;;) {
        if (job.failed.load(std::memory_order_relaxed)) {
            break;
        }
        uint64_t i = job.nextBlock.fetch_add(1, std::memory_order_relaxed);
        if (i >= job.totalBlocks) {
            break;
        }
        dim3 bidx((unsigned)(i % gx), (unsigned)((i / gx) % gy), (unsigned)(i / (gx * gy)));
        if (!run_block(w, job, bidx)) {
            break;
        }
    }
    b.job = nullptr;
}

// ---- worker pool -------------------------------------------------------------------------------------------
// Native threads (not attached to the JVM, all signals blocked) run the blocks; the Java thread that launched
// waits. Keeping fibers off JVM threads keeps the JVM's signal handlers off the small fiber stacks.
class Pool {
public:
    // Runs the job on `threads` pool threads (started on first need, then kept parked).
    void run(Job& job, int threads) {
        std::unique_lock<std::mutex> lock(mutex_);
        while ((int)threads_.size() < threads) {
            start_thread();
        }
        const int n = threads;
        job_ = &job;
        generation_++;
        participants_ = n;
        running_ = n;
        work_.notify_all();
        done_.wait(lock, [&] { return running_ == 0; });
        job_ = nullptr;
    }

private:
    void start_thread() {
        int index = (int)threads_.size();
        sigset_t all, old;
        sigfillset(&all);
        // Asynchronous signals stay with the JVM's threads; faults raised by a kernel itself still reach the
        // JVM's handler (which writes its crash report) instead of killing the process silently.
        for (int sig : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP, SIGABRT}) {
            sigdelset(&all, sig);
        }
        pthread_sigmask(SIG_SETMASK, &all, &old); // the new thread inherits the blocked mask
        threads_.emplace_back([this, index] { loop(index); });
        threads_.back().detach();
        pthread_sigmask(SIG_SETMASK, &old, nullptr);
    }

    void loop(int index) {
        Worker worker; // this thread's fibers and shared memory, for the life of the process
        uint64_t seen = 0;
        for (;;) {
            Job* job;
            {
                std::unique_lock<std::mutex> lock(mutex_);
                work_.wait(lock, [&] { return generation_ != seen; });
                seen = generation_;
                if (index >= participants_) {
                    continue; // a launch with fewer threads: this one sits out
                }
                job = job_;
            }
            try {
                run_job(*job, worker);
            } catch (const std::exception& e) {
                job->fail(std::string("emulated launch failed: ") + e.what());
            }
            std::lock_guard<std::mutex> lock(mutex_);
            if (--running_ == 0) {
                done_.notify_all();
            }
        }
    }

    std::mutex mutex_;
    std::condition_variable work_, done_;
    std::vector<std::thread> threads_;
    Job* job_ = nullptr;
    uint64_t generation_ = 0;
    int participants_ = 0;
    int running_ = 0;
};

Pool& pool() {
    static Pool* p = new Pool(); // never destroyed: its detached threads outlive static destruction
    return *p;
}

std::mutex& launch_mutex() {
    static std::mutex m;
    return m;
}

} // namespace

// ---- synchronisation primitives called from kernels ------------------------------------------------------
void syncthreads() {
    ThreadContext& c = current();
    Worker& w = *static_cast<Worker*>(c.worker);
    BlockRun& b = w.block;
    b.blockArrived++;
    if (b.blockArrived + b.doneCount == b.T) {
        release_block_barrier(b); // last to arrive: the others become ready, this thread goes on
        return;
    }
    b.threads[c.tid].state = WAIT_BLOCK;
    suspend(w);
}

void syncwarp(unsigned mask) {
    ThreadContext& c = current();
    Worker& w = *static_cast<Worker*>(c.worker);
    BlockRun& b = w.block;
    const unsigned t = c.tid;
    WarpState& ws = b.warps[t >> 5];
    const uint32_t self = 1u << (t & 31);
    const uint32_t m = (mask | self) & ws.exists;
    ws.arrived |= self;
    if ((m & ~ws.done & ~ws.arrived) == 0) {
        uint32_t rel = m & ws.arrived & ~self;
        ws.arrived &= ~m;
        while (rel != 0) {
            unsigned l = (unsigned)__builtin_ctz(rel);
            rel &= rel - 1;
            make_ready(b, (t & ~31u) + l);
        }
        return;
    }
    b.threads[t].state = WAIT_WARP;
    b.threads[t].waitMask = m;
    suspend(w);
}

uint64_t warp_exchange(unsigned mask, uint64_t mine, int srcLane) {
    ThreadContext& c = current();
    BlockRun& b = static_cast<Worker*>(c.worker)->block;
    const unsigned t = c.tid;
    WarpState& ws = b.warps[t >> 5];
    ws.slot[t & 31] = mine;
    syncwarp(mask);
    uint64_t r = mine;
    if (srcLane >= 0 && srcLane < 32 && (ws.exists & (1u << srcLane)) != 0) {
        r = ws.slot[srcLane];
    }
    syncwarp(mask); // nobody overwrites a slot before every lane has read
    return r;
}

unsigned warp_ballot(unsigned mask, int predicate) {
    ThreadContext& c = current();
    BlockRun& b = static_cast<Worker*>(c.worker)->block;
    const unsigned t = c.tid;
    WarpState& ws = b.warps[t >> 5];
    ws.slot[t & 31] = predicate != 0;
    syncwarp(mask);
    uint32_t lanes = (mask | (1u << (t & 31))) & ws.exists & ~ws.done;
    unsigned r = 0;
    for (uint32_t m = lanes; m != 0; m &= m - 1) {
        unsigned l = (unsigned)__builtin_ctz(m);
        if (ws.slot[l] != 0) r |= 1u << l;
    }
    syncwarp(mask);
    return r;
}

unsigned warp_active_mask() {
    ThreadContext& c = current();
    const BlockRun& b = static_cast<Worker*>(c.worker)->block;
    const WarpState& ws = b.warps[c.tid >> 5];
    return ws.exists & ~ws.done;
}

// ---- launch ------------------------------------------------------------------------------------------------
void launch(const KernelInfo& kernel, const unsigned char* packedArgs, dim3 grid, dim3 block, size_t sharedBytes,
            int threads) {
    if (threads < 1 || threads > kMaxWorkerThreads) {
        throw BadArgument("worker threads: expected 1.." + std::to_string(kMaxWorkerThreads) + ", got " + std::to_string(threads));
    }
    if (block.x == 0 || block.y == 0 || block.z == 0 || block.x > 1024 || block.y > 1024 || block.z > 64
        || (uint64_t)block.x * block.y * block.z > 1024) {
        throw BadArgument("block (" + std::to_string(block.x) + "," + std::to_string(block.y) + "," + std::to_string(block.z)
                          + "): expected 1..1024 threads with x,y <= 1024 and z <= 64");
    }
    if (grid.x == 0 || grid.y == 0 || grid.z == 0 || grid.x > 2147483647u || grid.y > 65535 || grid.z > 65535) {
        throw BadArgument("grid (" + std::to_string(grid.x) + "," + std::to_string(grid.y) + "," + std::to_string(grid.z)
                          + "): expected x in 1..2^31-1 and y, z in 1..65535");
    }
    if (sharedBytes > kMaxDynamicShared) {
        throw BadArgument("dynamic shared memory: " + std::to_string(sharedBytes) + " bytes requested, at most "
                          + std::to_string(kMaxDynamicShared) + " per block");
    }
    std::lock_guard<std::mutex> serial(launch_mutex());
    void* bound = kernel.bind(packedArgs);
    Job job;
    job.kernel = &kernel;
    job.bound = bound;
    job.grid = grid;
    job.block = block;
    job.shared = sharedBytes;
    job.totalBlocks = (uint64_t)grid.x * grid.y * grid.z;
    const uint64_t useful = job.totalBlocks < (uint64_t)threads ? job.totalBlocks : (uint64_t)threads;
    pool().run(job, (int)useful);
    kernel.release(bound);
    if (job.failed.load()) {
        throw KernelFault(job.error);
    }
}

} // namespace cuda_emu
