// xc_cpp: a C++ workload for the perf cross-check: namespaces, templates,
// lambdas, std::function, virtual calls, operators.
#include <cstdio>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace outer {
namespace inner {
template <typename T, int N> struct Acc {
	T v[N];
	__attribute__((noinline)) T sum(int reps) const
	{
		volatile T s = 0;
		for (int r = 0; r < reps; r++)
			for (int i = 0; i < N; i++)
				s = s + v[i];
		return s;
	}
	__attribute__((noinline)) Acc &operator+=(const Acc &o)
	{
		for (int i = 0; i < N; i++)
			v[i] += o.v[i];
		return *this;
	}
};

struct Base {
	virtual ~Base() {}
	virtual long run(int n) = 0;
};
struct Derived : Base {
	__attribute__((noinline)) long run(int n) override
	{
		Acc<long, 8> a{};
		Acc<long, 8> b{ { 1, 2, 3, 4, 5, 6, 7, 8 } };
		a += b;
		return a.sum(n);
	}
};
} // namespace inner

__attribute__((noinline)) long drive(inner::Base &b, int n)
{
	auto f = [&b](int k) __attribute__((noinline)) { return b.run(k); };
	std::function<long(int)> g = f;
	return g(n);
}
} // namespace outer

__attribute__((noinline)) static long use_map(int n)
{
	std::map<std::string, int> m;
	for (int i = 0; i < n; i++)
		m[std::to_string(i % 512)] += i;
	return (long)m.size();
}

int main(int argc, char **argv)
{
	int rounds = argc > 1 ? std::atoi(argv[1]) : 300;
	outer::inner::Derived d;
	long t = 0;
	for (int r = 0; r < rounds; r++) {
		t += outer::drive(d, 2000);
		t += use_map(2000);
	}
	std::printf("%ld\n", t & 1);
	return 0;
}
