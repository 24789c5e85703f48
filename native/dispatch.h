// Picks the kernel table once at load time: the best ISA this CPU and OS
// support, unless DEEPFIT_ISA names one.
#pragma once
#include <string>
#include <vector>

#include "table.h"

namespace df {

const KernelTable& K();                      // the active table
std::vector<std::string> available_isas();   // best last
// Makes `name` the active ISA. Returns false if it is unknown or unsupported here.
bool select_isa(const std::string& name);
const char* active_isa();

}  // namespace df
