#include "threadpool.h"

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

namespace df {
namespace {

class Pool {
 public:
  ~Pool() { resize(1); }

  void resize(int n) {
    std::unique_lock<std::mutex> lk(mu_);
    stop_ = true;
    cv_.notify_all();
    lk.unlock();
    for (auto& t : workers_) t.join();
    workers_.clear();
    lk.lock();
    stop_ = false;
    threads_ = std::max(1, n);
    for (int i = 1; i < threads_; i++) workers_.emplace_back([this] { loop(); });
  }

  int threads() const { return threads_; }

  void run(size_t n, const std::function<void(size_t)>& fn) {
    if (threads_ <= 1 || n <= 1) {
      for (size_t i = 0; i < n; i++) fn(i);
      return;
    }
    // The job lives on this stack frame; workers hold it only while `active`
    // counts them, and we wait for that to drop to zero before returning.
    Job job(&fn, n);
    std::unique_lock<std::mutex> lk(mu_);
    job_ = &job;
    generation_++;
    cv_.notify_all();
    lk.unlock();
    size_t d = drain(job);
    lk.lock();
    job.done += d;
    done_cv_.wait(lk, [&] { return job.done == job.n && job.active == 0; });
    job_ = nullptr;
  }

 private:
  struct Job {
    Job(const std::function<void(size_t)>* f, size_t count) : fn(f), n(count) {}
    const std::function<void(size_t)>* fn;
    size_t n;
    std::atomic<size_t> next{0};
    size_t done = 0;  // guarded by mu_
    int active = 0;   // guarded by mu_
  };

  static size_t drain(Job& job) {
    size_t done = 0;
    for (;;) {
      size_t i = job.next.fetch_add(1);
      if (i >= job.n) break;
      (*job.fn)(i);
      done++;
    }
    return done;
  }

  void loop() {
    uint64_t seen = 0;
    std::unique_lock<std::mutex> lk(mu_);
    for (;;) {
      cv_.wait(lk, [&] { return stop_ || (job_ != nullptr && generation_ != seen); });
      if (stop_) return;
      seen = generation_;
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

  std::mutex mu_;
  std::condition_variable cv_, done_cv_;
  std::vector<std::thread> workers_;
  Job* job_ = nullptr;  // guarded by mu_
  uint64_t generation_ = 0;
  bool stop_ = false;
  int threads_ = 1;
};

Pool& pool() {
  static Pool p;
  return p;
}
bool initialised = false;

}  // namespace

int default_threads() {
  unsigned n = std::thread::hardware_concurrency();
  return n == 0 ? 1 : static_cast<int>(std::min(n, 64u));
}

void set_threads(int n) {
  pool().resize(n);
  initialised = true;
}

int get_threads() {
  if (!initialised) set_threads(default_threads());
  return pool().threads();
}

void parallel_for(size_t n, const std::function<void(size_t)>& fn) {
  if (!initialised) set_threads(default_threads());
  pool().run(n, fn);
}

}  // namespace df
