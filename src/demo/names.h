// Plausible Russian names, addresses and documents for the demo school. Internal to src/demo.
#pragma once

#include <random>
#include <string>

#include "ejournal/domain/commands.h"

namespace ejournal::demo {

using Rng = std::mt19937_64;

// A family name in its masculine form; feminine() derives the other (Иванов → Иванова, Лесной → Лесная).
std::string family_name(Rng& rng);
std::string feminine(const std::string& family);

// A first name.
std::string first_name(Rng& rng, bool female);

// A person of the given family; birth_year picks a birth day within that year. The patronymic is from a
// random man's name: a child's is set from the father's by the caller.
domain::PersonalData make_person(Rng& rng, const std::string& family, bool female, int birth_year);

// The patronymic from the father's first name, by the usual rules (Алексей → Алексеевич/Алексеевна,
// Николай → Николаевич, Юрий → Юрьевич, Никита → Никитич, Лев → Львович).
std::string patronymic(const std::string& father, bool female);

// A staff member's display name: "Фамилия Имя Отчество".
std::string staff_name(Rng& rng, bool female);

}  // namespace ejournal::demo
