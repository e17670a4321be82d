#include "demo/curriculum.h"

#include <cstdio>

namespace ejournal::demo {
namespace {

enum S {
  kRussian, kReading, kLiterature, kNative, kEnglish, kGerman, kMath, kAlgebra, kGeometry, kStats, kInformatics,
  kWorld, kHistory, kSocial, kGeography, kBiology, kPhysics, kChemistry, kAstronomy, kArt, kMusic, kTechnology,
  kPE, kSafety, kProject
};

domain::Day day_of(int y, int m, int d) {
  domain::Day day = 0;
  char iso[16];
  std::snprintf(iso, sizeof iso, "%04d-%02d-%02d", y, m, d);
  domain::parse_day(iso, &day);
  return day;
}

}  // namespace

const std::vector<SubjectInfo>& subjects() {
  static const std::vector<SubjectInfo> kSubjects = {
      {"Русский язык", "рус"},        {"Литературное чтение", "лит.чт"}, {"Литература", "лит"},
      {"Родной язык", "род"},         {"Английский язык", "англ"},       {"Немецкий язык", "нем"},
      {"Математика", "мат"},          {"Алгебра", "алг"},                {"Геометрия", "геом"},
      {"Вероятность и статистика", "в.и.с"}, {"Информатика", "инф"},      {"Окружающий мир", "окр"},
      {"История", "ист"},             {"Обществознание", "общ"},         {"География", "геогр"},
      {"Биология", "биол"},           {"Физика", "физ"},                 {"Химия", "хим"},
      {"Астрономия", "астр"},         {"Изобразительное искусство", "изо"}, {"Музыка", "муз"},
      {"Технология", "техн"},         {"Физическая культура", "физк"},  {"ОБЖ", "обж"},
      {"Индивидуальный проект", "проект"}};
  return kSubjects;
}

std::vector<Hours> plan_for_grade(int g) {
  if (g == 1) {
    return {{kRussian, 5, false}, {kReading, 4, false}, {kMath, 4, false}, {kWorld, 2, false}, {kArt, 1, false},
            {kMusic, 1, false},   {kTechnology, 1, false}, {kPE, 3, false}, {kNative, 1, false}};
  }
  if (g <= 4) {
    return {{kRussian, 5, false}, {kReading, 4, false}, {kEnglish, 2, true}, {kMath, 4, false},
            {kWorld, 2, false},   {kArt, 1, false},     {kMusic, 1, false},  {kTechnology, 1, false}, {kPE, 3, false}};
  }
  if (g <= 6) {
    std::vector<Hours> p = {{kRussian, g == 5 ? 5 : 6, false}, {kLiterature, 3, false}, {kEnglish, 3, true},
                            {kMath, 5, false},   {kHistory, 2, false},    {kGeography, 1, false},
                            {kBiology, 1, false}, {kArt, 1, false},       {kMusic, 1, false},
                            {kTechnology, 2, false}, {kPE, 2, false},     {kGerman, 1, false}};
    if (g == 6) p.push_back({kSocial, 1, false});
    return p;
  }
  if (g <= 9) {
    std::vector<Hours> p = {{kRussian, g == 7 ? 4 : 3, false}, {kLiterature, g == 9 ? 3 : 2, false},
                            {kEnglish, 3, true},    {kAlgebra, 3, false},  {kGeometry, 2, false},
                            {kStats, 1, false},     {kInformatics, 1, true}, {kHistory, 2, false},
                            {kSocial, 1, false},    {kGeography, 2, false}, {kBiology, g == 7 ? 1 : 2, false},
                            {kPhysics, g == 9 ? 3 : 2, false}, {kPE, 2, false}};
    if (g >= 8) p.push_back({kChemistry, 2, false});
    if (g >= 8) p.push_back({kSafety, 1, false});
    if (g == 7) p.push_back({kArt, 1, false});
    if (g <= 8) p.push_back({kMusic, 1, false});
    if (g <= 8) p.push_back({kTechnology, 1, false});
    return p;
  }
  std::vector<Hours> p = {{kRussian, 2, false},   {kLiterature, 3, false}, {kEnglish, 3, true},
                          {kAlgebra, 4, false},   {kGeometry, 2, false},   {kStats, 1, false},
                          {kInformatics, 1, true}, {kHistory, 2, false},   {kSocial, 2, false},
                          {kGeography, 1, false}, {kBiology, 1, false},    {kPhysics, 2, false},
                          {kChemistry, 1, false}, {kPE, 2, false},         {kSafety, 1, false}};
  p.push_back(g == 10 ? Hours{kProject, 1, false} : Hours{kAstronomy, 1, false});
  return p;
}

std::vector<TermPlan> terms_of_year(int y) {
  return {
      {"1 четверть", day_of(y, 9, 1), day_of(y, 10, 27), 1, 9},
      {"2 четверть", day_of(y, 11, 6), day_of(y, 12, 29), 1, 9},
      {"3 четверть", day_of(y + 1, 1, 9), day_of(y + 1, 3, 22), 1, 9},
      {"4 четверть", day_of(y + 1, 4, 1), day_of(y + 1, 5, 31), 1, 9},
      {"1 полугодие", day_of(y, 9, 1), day_of(y, 12, 29), 10, 11},
      {"2 полугодие", day_of(y + 1, 1, 9), day_of(y + 1, 5, 31), 10, 11},
  };
}

std::vector<std::string> class_letters(int grade) {
  if (grade <= 8) return {"А", "Б", "В"};
  return {"А", "Б"};
}

}  // namespace ejournal::demo
