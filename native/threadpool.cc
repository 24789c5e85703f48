#include "threadpool.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>
#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

namespace df {
namespace {

// Concurrency: the addon is loaded once per process and shared by every
// worker_thread, so set_threads, get_threads and parallel_for can be called
// from several JS threads at once. The first use starts the pool exactly once
// (std::call_once). job_mu_ serialises resize against itself and against jobs:
// one job uses the workers at a time. A run() that finds the workers busy with
// another thread's job, or that is nested inside a job, runs its pieces on the
// calling thread instead of waiting; the split into pieces is the caller's, so
// the results are the same either way.
//
// Waking a sleeping thread (a futex) can take tens of microseconds on a
// virtual machine, as long as a kernel over a megabyte. So a worker that
// finishes a job keeps polling for the next one for a while (SPIN_NS) before
// it sleeps, and the caller polls for the workers' pieces before it sleeps:
// back-to-back kernels, the common case in training, hand work over in well
// under a microsecond. The polls only read atomics; every hand-off still
// happens under mu_, exactly as without them.
constexpr int64_t SPIN_NS = 200000;

inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  _mm_pause();
#elif defined(__aarch64__)
  asm volatile("yield");
#endif
}

// Polls cond() for up to SPIN_NS.
template <class Cond>
void spin_until(Cond cond) {
  auto until = std::chrono::steady_clock::now() + std::chrono::nanoseconds(SPIN_NS);
  for (;;) {
    for (int i = 0; i < 64; i++) {
      if (cond()) return;
      cpu_relax();
    }
    if (std::chrono::steady_clock::now() >= until) return;
  }
}

class Pool {
 public:
  ~Pool() { resize(1); }

  void resize(int n) {
    std::lock_guard<std::mutex> job_lk(job_mu_);
    std::unique_lock<std::mutex> lk(mu_);
    stop_ = true;
    stopping_.store(true);
    cv_.notify_all();
    lk.unlock();
    for (auto& t : workers_) t.join();
    workers_.clear();
    lk.lock();
    stop_ = false;
    stopping_.store(false);
    int target = std::max(1, n);
    for (int i = 1; i < target; i++) workers_.emplace_back([this] { loop(); });
    threads_.store(target, std::memory_order_release);
  }

  int threads() const { return threads_.load(std::memory_order_acquire); }

  void run(size_t n, const std::function<void(size_t)>& fn) {
    if (n <= 1 || in_job_ || threads() <= 1) {
      inline_run(n, fn);
      return;
    }
    std::unique_lock<std::mutex> job_lk(job_mu_, std::try_to_lock);
    if (!job_lk.owns_lock() || threads_.load(std::memory_order_relaxed) <= 1) {
      inline_run(n, fn);
      return;
    }
    InJob mark;
    // The job lives on this stack frame; workers hold it only while `active`
    // counts them, and we wait for that to drop to zero before returning.
    Job job(&fn, n);
    std::unique_lock<std::mutex> lk(mu_);
    job_ = &job;
    generation_.fetch_add(1);
    cv_.notify_all();
    lk.unlock();
    size_t d = drain(job);
    lk.lock();
    job.done += d;
    if (!(job.done == job.n && job.active == 0)) {
      lk.unlock();
      spin_until([&] { return job.finished.load() == job.n && job.active.load() == 0; });
      lk.lock();
    }
    done_cv_.wait(lk, [&] { return job.done == job.n && job.active == 0; });
    job_ = nullptr;
  }

 private:
  struct Job {
    Job(const std::function<void(size_t)>* f, size_t count) : fn(f), n(count) {}
    const std::function<void(size_t)>* fn;
    size_t n;
    std::atomic<size_t> next{0};
    size_t done = 0;                  // guarded by mu_
    std::atomic<int> active{0};       // changed under mu_; polled without it
    std::atomic<size_t> finished{0};  // pieces done; polled by the caller
  };

  // Set while this thread runs pieces of a job (as its caller or a worker).
  static thread_local bool in_job_;
  struct InJob {
    bool prev = in_job_;
    InJob() { in_job_ = true; }
    ~InJob() { in_job_ = prev; }
  };

  static void inline_run(size_t n, const std::function<void(size_t)>& fn) {
    for (size_t i = 0; i < n; i++) fn(i);
  }

  static size_t drain(Job& job) {
    size_t done = 0;
    for (;;) {
      size_t i = job.next.fetch_add(1);
      if (i >= job.n) break;
      (*job.fn)(i);
      done++;
    }
    job.finished.fetch_add(done);
    return done;
  }

  void loop() {
    in_job_ = true;
    uint64_t seen = 0;
    std::unique_lock<std::mutex> lk(mu_);
    for (;;) {
      if (!stop_ && generation_.load() == seen) {
        lk.unlock();
        spin_until([&] { return generation_.load() != seen || stopping_.load(); });
        lk.lock();
      }
      cv_.wait(lk, [&] { return stop_ || (job_ != nullptr && generation_.load() != seen); });
      if (stop_) return;
      seen = generation_.load();
      Job* job = job_;
      job->active++;
      lk.unlock();
      size_t d = drain(*job);
      lk.lock();
      job->done += d;
      job->active--;
      if (job->active == 0 || job->done == job->n) done_cv_.notify_all();
    }
  }

  std::mutex job_mu_;  // held by resize, and by run while the workers have its job
  std::mutex mu_;      // guards the job hand-off below
  std::condition_variable cv_, done_cv_;
  std::vector<std::thread> workers_;
  Job* job_ = nullptr;                   // guarded by mu_
  std::atomic<uint64_t> generation_{0};  // changed under mu_; polled without it
  bool stop_ = false;                    // guarded by mu_
  std::atomic<bool> stopping_{false};    // stop_, for the polls
  std::atomic<int> threads_{1};
};

thread_local bool Pool::in_job_ = false;

Pool& pool() {
  static Pool p;
  return p;
}

// Starts the pool at the default size on first use, once, whichever thread
// gets here first; the others wait until it is done.
std::once_flag init_once;

void ensure_started() {
  std::call_once(init_once, [] { pool().resize(default_threads()); });
}

}  // namespace

int default_threads() {
  unsigned n = std::thread::hardware_concurrency();
  return n == 0 ? 1 : static_cast<int>(std::min(n, 64u));
}

void set_threads(int n) {
  // An explicit size before first use replaces the default start.
  bool started_here = false;
  std::call_once(init_once, [&] {
    pool().resize(n);
    started_here = true;
  });
  if (!started_here) pool().resize(n);
}

int get_threads() {
  ensure_started();
  return pool().threads();
}

void parallel_for(size_t n, const std::function<void(size_t)>& fn) {
  ensure_started();
  pool().run(n, fn);
}

}  // namespace df
